#!/usr/bin/env node
// `npx checkout …`: the operator CLI (client/cli), run from TypeScript source through tsx, a runtime dependency.
require('tsx/cjs');
require('../client/cli/main.ts');
