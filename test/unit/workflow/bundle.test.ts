// The workflow bundle's preloaded modules (worker/bundle.ts): evaluated once per worker thread, they must hold zod
// itself — the same module the schemas import — and the built-once map. A bare `require('zod')` in the preload list
// was compiled to nothing (zod declares itself free of side effects), so this reads the bundle the worker runs.
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { workflowBundleOptions } from '../../../worker/bundle';

jest.setTimeout(60_000);

let code: string;
beforeAll(async () => {
  code = (await bundleWorkflowCode({ ...workflowBundleOptions(), logger: new DefaultLogger('ERROR') })).code;
});

const SCHEMA_MODULES = ['./domain/checkout.ts', './domain/money.ts', './domain/address.ts', './workflows/checkout-session/input.ts'];

/** The body of one module in the bundle, by its module ID. */
function moduleBody(id: string): string {
  const start = code.indexOf(`\n/***/ "${id}"`);
  if (start < 0) throw new Error(`${id} is not in the bundle`);
  const end = code.indexOf('\n/***/ "', start + 1);
  return code.slice(start, end < 0 ? undefined : end);
}

/** The module IDs a module requires under the name `zod`. */
const zodImports = (body: string): string[] => [...body.matchAll(/__webpack_require__\(\/\*! zod \*\/ "([^"]+)"\)/g)].map((m) => m[1]!);

describe('workflow bundle', () => {
  it('preloads zod-shared and built-once', () => {
    const preload = /exports\.preloadModules = function preloadModules\(\) \{([\s\S]*?)\n\}/.exec(code)?.[1] ?? '';
    expect(preload).toContain('"./domain/zod-shared.ts"');
    expect(preload).toContain('"./domain/built-once.ts"');
  });

  it('zod-shared loads every zod module the workflow code imports', () => {
    const shared = zodImports(moduleBody('./domain/zod-shared.ts'));
    expect(shared.length).toBeGreaterThan(0);
    for (const m of [...SCHEMA_MODULES, './workflows/checkout-session/workflow.ts']) {
      for (const id of zodImports(moduleBody(m))) expect(shared).toContain(id);
    }
  });

  it('the schema modules build their schemas through builtOnce', () => {
    for (const m of SCHEMA_MODULES) expect(moduleBody(m)).toMatch(/builtOnce\)\('/);
  });
});
