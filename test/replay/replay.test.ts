// Every committed history replays against the current workflow code (DESIGN.md, "Determinism"). A change that
// would break running sessions fails here; `patched()` is how to change behaviour safely (README).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { HISTORIES_DIR } from '../helpers/histories';
import { replayDataConverter } from '../helpers/replay-data-converter';
import { workflowBundleOptions } from '../../worker/bundle';
import { TRACING_WORKFLOW_MODULE } from '../../worker/tracing';

Runtime.install({ logger: new DefaultLogger('ERROR') });

const files = readdirSync(HISTORIES_DIR).filter((f) => f.endsWith('.json')).sort();
const load = (f: string) => JSON.parse(readFileSync(join(HISTORIES_DIR, f), 'utf8')) as { workflowId: string; events: unknown[] };

const REQUIRED = [
  'complete-happy-path',
  'finalize',
  'saved-wallet',
  'saved-wallet-finalize',
  'pending-authorized-by-signal',
  'pending-declined-by-polling',
  'retry-5xx-then-success',
  'lost-response-reconciled',
  'amount-mismatch',
  'declined',
  'buyer-canceled',
  'buyer-canceled-by-update',
  'cancel-after-return',
  'expired',
  'recovered-completed',
  'recovered-declined',
  'checked-open-then-returned',
  'completed-elsewhere-by-check',
  'input-out-of-bounds',
];

let bundle: WorkflowBundleWithSourceMap;
/** The bundle of a worker with tracing on (worker/tracing.ts): the same workflows plus the tracing interceptors. */
let traced: WorkflowBundleWithSourceMap;
beforeAll(async () => {
  [bundle, traced] = await Promise.all([
    bundleWorkflowCode({ ...workflowBundleOptions(), logger: new DefaultLogger('ERROR') }),
    bundleWorkflowCode({ ...workflowBundleOptions(), workflowInterceptorModules: [TRACING_WORKFLOW_MODULE], logger: new DefaultLogger('ERROR') }),
  ]);
}, 60_000);

describe('replay of committed histories', () => {
  it('has a fixture for every branch', () => {
    expect(files.map((f) => f.replace(/\.json$/, ''))).toEqual(expect.arrayContaining(REQUIRED));
  });

  it.each(files)('%s replays against the current workflow code', async (file) => {
    await expect(
      Worker.runReplayHistory({ workflowBundle: bundle, dataConverter: replayDataConverter() }, load(file), load(file).workflowId),
    ).resolves.toBeUndefined();
  });

  // Turning tracing on must not break sessions that are already running: their histories were written without it.
  it('bundles the tracing interceptors only when asked', () => {
    expect(traced.code).toContain('@temporalio/interceptor-workflow');
    expect(bundle.code).not.toContain('@temporalio/interceptor-workflow');
  });

  it.each(files)('%s replays with tracing on', async (file) => {
    await expect(
      Worker.runReplayHistory(
        { workflowBundle: traced, dataConverter: replayDataConverter(), interceptors: { workflowModules: [TRACING_WORKFLOW_MODULE] }, sinks: { exporter: { export: { fn: () => undefined } } } },
        load(file),
        load(file).workflowId,
      ),
    ).resolves.toBeUndefined();
  });

  it('catches a non-deterministic change', async () => {
    // The same workflow type with its first step changed: a timer where history has a local-activity marker.
    const broken = await bundleWorkflowCode({
      workflowsPath: require.resolve('./fixtures/nondeterministic-workflows'),
      logger: new DefaultLogger('ERROR'),
    });
    await expect(
      Worker.runReplayHistory(
        { workflowBundle: broken, dataConverter: replayDataConverter() },
        load('complete-happy-path.json'),
        load('complete-happy-path.json').workflowId,
      ),
    ).rejects.toBeInstanceOf(DeterminismViolationError);
  });
});
