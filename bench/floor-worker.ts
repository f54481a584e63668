// The floor's own worker process (bench/floor-workflow.ts), configured like worker/main.ts so the two compare.
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { MongoClient } from 'mongodb';
import { z } from 'zod';
import { createAmazonPayClient } from '../activities/amazon-pay/client';
import { CheckoutRecords } from '../records/checkout-sessions';
import { dataConverterFromEnv } from '../client/temporal/data-converter';
import { connectionOptions } from '../client/temporal/connection';
import { createFloorActivities } from './job';

const Env = z.object({
  TEMPORAL_ADDRESS: z.string().min(1),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TASK_QUEUE: z.string().min(1),
  MONGODB_URI: z.string().min(1),
  MONGODB_DB: z.string().min(1),
  AMAZON_PAY_PUBLIC_KEY_ID: z.string().min(1),
  AMAZON_PAY_PRIVATE_KEY: z.string().min(1),
  AMAZON_PAY_BASE_URL: z.url(),
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().nonnegative().default(1000),
});

async function main(): Promise<void> {
  const cfg = Env.parse(process.env);
  Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: ['SIGINT', 'SIGTERM'] });
  const mongo = await MongoClient.connect(cfg.MONGODB_URI, { serverSelectionTimeoutMS: 10_000 });
  const records = new CheckoutRecords(mongo.db(cfg.MONGODB_DB));
  await records.ensureIndexes();
  const amazonPay = createAmazonPayClient({
    publicKeyId: cfg.AMAZON_PAY_PUBLIC_KEY_ID,
    privateKey: cfg.AMAZON_PAY_PRIVATE_KEY,
    region: 'na',
    baseUrl: cfg.AMAZON_PAY_BASE_URL,
  });
  const connection = await NativeConnection.connect(connectionOptions({ address: cfg.TEMPORAL_ADDRESS, namespace: cfg.TEMPORAL_NAMESPACE }));
  try {
    const worker = await Worker.create({
      connection,
      namespace: cfg.TEMPORAL_NAMESPACE,
      taskQueue: cfg.TASK_QUEUE,
      workflowsPath: require.resolve('./floor-workflow'),
      activities: createFloorActivities({ amazonPay, records }),
      maxCachedWorkflows: cfg.WORKER_MAX_CACHED_WORKFLOWS,
      // The same payload codec as the service, so the ratio measures the workflow's shape, not encryption.
      dataConverter: dataConverterFromEnv(process.env, 'floor worker'),
    });
    process.stdout.write('floor worker ready\n');
    await worker.run();
  } finally {
    await connection.close();
    await mongo.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`floor worker failed: ${(err as Error).message}\n`);
  process.exit(1);
});
