import { rmSync } from 'node:fs';

export default async function globalTeardown(): Promise<void> {
  const s = globalThis.__checkoutStack;
  if (!s) return;
  s.removeSignalHandlers();
  await s.stack.stop();
  globalThis.__checkoutStack = undefined;
  if (process.env.TEST_DATA_DIR && !process.env.KEEP_TEST_DATA) rmSync(process.env.TEST_DATA_DIR, { recursive: true, force: true });
}
