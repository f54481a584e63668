// Started by the shutdown test as a separate process: brings up a stack, reports the service pids, waits.
import { startStack } from '../../dev/stack';
import { onShutdownSignal } from '../../dev/shutdown';

void (async () => {
  const stack = await startStack({ dataDir: process.argv[2]!, ui: false, say: () => undefined });
  onShutdownSignal(() => stack.stop(), () => undefined);
  process.stdout.write(`${JSON.stringify({ pids: stack.processes.map((p) => p.pid) })}\n`);
  setInterval(() => undefined, 60_000);
})();
