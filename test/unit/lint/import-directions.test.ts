// The import directions of DESIGN.md are lint rules: each wrong import below fails `npm run lint` (eslint.config.mjs),
// each right one passes. Probed with in-memory files at real paths, so the folder blocks apply as they do to code.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
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
  ['workflows/checkout-session/probe.ts', "import { CheckoutRecords } from '../../records/checkout-sessions';", /records repository as types only/],
  ['records/probe.ts', "import { recordActivities } from '../activities/records/activities';", /only the vocabulary/],
  ['emulator/probe.ts', "import { SESSIONS } from '../records/checkout-sessions';", /other side of the boundary/],
];
const allowed: [string, string][] = [
  ['workflows/checkout-session/probe.ts', "import { currencyExponent } from '../../domain/money';"],
  ['workflows/checkout-session/probe.ts', "import type { Activities } from '../../activities';"],
  ['activities/amazon-pay/probe.ts', "import { currencyExponent } from '../../domain/money';"],
  ['activities/amazon-pay/probe.ts', "import type { CheckoutState } from '../../workflows/checkout-session/input';"],
  ['worker/probe.ts', "import { createLogger } from '../client/temporal/logger';"],
  ['client/http/probe.ts', "import { CheckoutInput } from '../../workflows/checkout-session';"],
  ['client/http/probe.ts', "import { CheckoutRecords } from '../../records/checkout-sessions';"],
  ['activities/records/probe.ts', "import { CheckoutRecords } from '../../records/checkout-sessions';"],
  ['workflows/checkout-session/probe.ts', "import type { TimelineEvent } from '../../records/types';"],
  ['records/probe.ts', "import { toMinorUnits } from '../domain/money';"],
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

describe('import cycles', () => {
  // import-x/no-cycle follows imports on disk, so the probe is two real files that import each other.
  const dir = join(ROOT, 'client', `cycle-probe-${process.pid}`);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a cycle between two modules fails lint; the same modules without the back edge pass', () => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'a.ts'), "import { b } from './b';\nexport const a = (): number => b() + 1;\n");
    writeFileSync(join(dir, 'b.ts'), "import { a } from './a';\nexport const b = (): number => (a.length > 0 ? 1 : 0);\n");
    const lint = (): string =>
      execFileSync(process.execPath, [join(ROOT, 'node_modules/eslint/bin/eslint.js'), '--format', 'json', join(dir, 'a.ts')], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    try {
      lint();
    } catch (e) {
      out = String((e as { stdout?: string }).stdout);
    }
    const cycleMessages = (json: string): string[] =>
      (JSON.parse(json) as { messages: { ruleId: string | null; message: string }[] }[]).flatMap((r) => r.messages.filter((m) => m.ruleId === 'import-x/no-cycle').map((m) => m.message));
    expect(cycleMessages(out)).toEqual([expect.stringMatching(/Dependency cycle/)]);

    writeFileSync(join(dir, 'b.ts'), 'export const b = (): number => 1;\n');
    expect(cycleMessages(lint())).toEqual([]);
  });
});
