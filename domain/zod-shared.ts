// Loads zod once into the workflow sandbox's shared context (worker/bundle.ts preloads this module), so that workflow
// runs do not each evaluate the library again. The SDK deep-freezes what a preloaded module exports, zod's global
// configuration included, and zod sets its default locale there when the first schema is built: so one schema is
// built, and one failed parse formatted, here, before the freeze. (A bare `require('zod')` would not do: the bundler
// drops it, zod being declared free of side effects.)
import { z } from 'zod';

// Every zod module the workflow's code imports is reached from here (test/unit/workflow/bundle.test.ts checks).
const probe = z.strictObject({ s: z.string(), at: z.iso.datetime() }).safeParse({ s: 1 });

export const zodLoaded: boolean = !probe.success && z.prettifyError(probe.error).length > 0;
