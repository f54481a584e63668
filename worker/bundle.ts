// What the workflow bundle is built from, shared by the worker, the test harness and the replay tests so that all
// three run the same bundle.
import type { BundleOptions } from '@temporalio/worker';

/**
 * Modules evaluated once per workflow thread instead of once per workflow run. The SDK's reusable V8 context gives
 * every run its own module state, so each run (and each replay after a cache eviction) would otherwise evaluate zod
 * again and build every schema again. zod, loaded by `domain/zod-shared`, is stateless once loaded;
 * `domain/built-once` holds the schemas the input and vocabulary modules build through it (see there). Nothing with
 * per-run state belongs here: the SDK shares these modules between runs and deep-freezes their exports.
 */
export const PRELOADED_WORKFLOW_MODULES = [require.resolve('../domain/zod-shared'), require.resolve('../domain/built-once')];

export const WORKFLOWS_PATH = require.resolve('../workflows');

export function workflowBundleOptions(): Pick<BundleOptions, 'workflowsPath' | 'preloadModules'> {
  return { workflowsPath: WORKFLOWS_PATH, preloadModules: PRELOADED_WORKFLOW_MODULES };
}
