// The import directions of DESIGN.md are lint rules: each wrong import below fails `npm run lint` (eslint.config.mjs),
// each right one passes. Probed with in-memory files at real paths, so the folder blocks apply as they do to code.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '../../..');

/**
 * Lints in-memory files at real paths with the project's eslint.config.mjs, in one plain Node process (Jest's
 * runtime cannot load the ESM config). The type-aware rules need files on disk and are off; the direction rules not.
 */
function lintProbes(probes: { file: string; code: string }[]): string[][] {
  const script = `
    const { ESLint } = require('eslint');
    const probes = JSON.parse(process.argv[1]);
    const eslint = new ESLint({ overrideConfig: {
      languageOptions: { parserOptions: { projectService: false, project: null } },
      rules: { '@typescript-eslint/no-floating-promises': 'off', '@typescript-eslint/no-misused-promises': 'off' } } });
    (async () => {
      const out = [];
      for (const p of probes) {
        const [r] = await eslint.lintText(p.code + String.fromCharCode(10) + 'export const probe = 1;' + String.fromCharCode(10), { filePath: require('path').join(process.cwd(), p.file) });
        out.push(r.messages.filter((m) => m.ruleId === '@typescript-eslint/no-restricted-imports').map((m) => m.message));
      }
      process.stdout.write(JSON.stringify(out));
    })();`;
  return JSON.parse(execFileSync(process.execPath, ['-e', script, JSON.stringify(probes)], { cwd: ROOT, encoding: 'utf8' })) as string[][];
}

jest.setTimeout(60_000);

const refused: [string, string, RegExp][] = [
  ['workflows/checkout-session/probe.ts', "import { createLogger } from '../../client/temporal/logger';", /Workflows import only/],
  ['workflows/checkout-session/probe.ts', "import { createActivities } from '../../activities';", /types only/],
  ['workflows/checkout-session/probe.ts', "import { readFileSync } from 'node:fs';", /Node built-ins/],
  ['activities/amazon-pay/probe.ts', "import { transition } from '../../workflows/checkout-session/state';", /workflow runtime code/],
  ['activities/amazon-pay/probe.ts', "import { loadHttpConfig } from '../../client/http/config';", /no process code/],
  ['client/http/probe.ts', "import { runWorker } from '../../worker/main';", /never import the worker/],
  ['emulator/probe.ts', "import { CheckoutInput } from '../workflows/checkout-session';", /other side of the boundary/],
  ['domain/probe.ts', "import { Client } from '@temporalio/client';", /dependency-free/],
];
const allowed: [string, string][] = [
  ['workflows/checkout-session/probe.ts', "import { currencyExponent } from '../../domain/money';"],
  ['workflows/checkout-session/probe.ts', "import type { Activities } from '../../activities';"],
  ['activities/amazon-pay/probe.ts', "import { currencyExponent } from '../../domain/money';"],
  ['activities/amazon-pay/probe.ts', "import type { CheckoutState } from '../../workflows/checkout-session/input';"],
  ['worker/probe.ts', "import { createLogger } from '../client/temporal/logger';"],
  ['client/http/probe.ts', "import { CheckoutInput } from '../../workflows/checkout-session';"],
];

describe('import directions', () => {
  let results: string[][];
  beforeAll(() => {
    results = lintProbes([...refused, ...allowed].map(([file, code]) => ({ file, code })));
  });

  it.each(refused.map((r, i) => [...r, i] as const))('%s: %s is refused', (_file, _code, message, i) => {
    expect(results[i]).toEqual([expect.stringMatching(message)]);
  });

  it.each(allowed.map((a, i) => [...a, refused.length + i] as const))('%s: %s is allowed', (_file, _code, i) => {
    expect(results[i]).toEqual([]);
  });
});
