// The production worker (worker/main.ts) as a real child process on the harness's stack, task queue, database,
// emulator and payload codec keys; `env` adds to or overrides its environment. Its stderr goes to the test's own
// unless `output: 'pipe'` (the caller reads stdout and stderr).
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { Harness } from './checkout-harness';
import { testCodecEnv } from './codec-keys';
import { testStack } from './env';

export function spawnWorkerProcess(h: Harness, env: Record<string, string> = {}, o: { output?: 'inherit' | 'pipe' } = {}): ChildProcess {
  const stack = testStack();
  return spawn(process.execPath, ['--require', 'tsx/cjs', join(__dirname, '../../worker/main.ts')], {
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: stack.temporalAddress,
      TEMPORAL_NAMESPACE: stack.namespace,
      TASK_QUEUE: h.taskQueue,
      MONGODB_URI: stack.mongodbUri,
      MONGODB_DB: h.db.databaseName,
      AMAZON_PAY_PUBLIC_KEY_ID: h.publicKeyId,
      AMAZON_PAY_PRIVATE_KEY: h.privateKeyPem,
      AMAZON_PAY_BASE_URL: h.emulator.baseUrl,
      LOG_LEVEL: 'warn',
      // The same payload codec keys as the harness's client.
      ...testCodecEnv(),
      ...env,
    },
    stdio: o.output === 'pipe' ? ['ignore', 'pipe', 'pipe'] : ['ignore', 'ignore', 'inherit'],
  });
}
