// One real stack (Temporal dev server + MongoDB-wire store) for the whole integration run, in a temporary folder.
// Addresses reach the test workers through the environment; the stack is stopped in global-teardown, on Ctrl-C,
// and, if this process is killed outright, by the parent-death signal each service was started with.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStack, type Stack } from '../../dev/stack';
import { ensureJaeger } from '../../dev/provision';
import { onShutdownSignal } from '../../dev/shutdown';

declare global {
  var __checkoutStack: { stack: Stack; removeSignalHandlers: () => void } | undefined;
}

export default async function globalSetup(): Promise<void> {
  // The tracing and browser tests run Jaeger: its first build (minutes) happens here, once, not inside a test's timeout.
  await ensureJaeger((l) => process.stderr.write(`[stack] ${l}\n`));
  const dataDir = mkdtempSync(join(tmpdir(), 'checkout-orchestrator-test-'));
  const started = Date.now();
  const stack = await startStack({ dataDir, ui: false, say: (l) => process.stderr.write(`[stack] ${l}\n`) });
  process.stderr.write(`[stack] ready in ${Date.now() - started} ms (data in ${dataDir})\n`);
  process.env.TEST_TEMPORAL_ADDRESS = stack.temporalAddress;
  process.env.TEST_TEMPORAL_NAMESPACE = stack.namespace;
  process.env.TEST_MONGODB_URI = stack.mongodbUri;
  process.env.TEST_DATA_DIR = dataDir;
  const removeSignalHandlers = onShutdownSignal(() => stack.stop(), (l) => process.stderr.write(`[stack] ${l}\n`));
  globalThis.__checkoutStack = { stack, removeSignalHandlers };
}
