// The HTTP server process: configuration, connections, buildApp, listen, graceful close on SIGTERM/SIGINT.
import './tracing-preload'; // first: tracing must patch http and mongodb before they load
import { MongoClient } from 'mongodb';
import { createLogger } from '../temporal/logger';
import { connectClient } from '../temporal/connection';
import { buildApp } from './app';
import { configOrExit } from '../temporal/env';
import { activeTracing } from '../temporal/tracing';
import { loadDataConverter, loadHttpConfig, type HttpConfig } from './config';

export async function runServer(cfg: HttpConfig): Promise<void> {
  const log = createLogger(cfg.LOG_LEVEL, 'http');
  const dataConverter = loadDataConverter();
  const { connection, client } = await connectClient(
    { address: cfg.TEMPORAL_ADDRESS, namespace: cfg.TEMPORAL_NAMESPACE, apiKey: cfg.TEMPORAL_API_KEY, tls: cfg.TEMPORAL_TLS },
    dataConverter,
  );
  const mongo = await MongoClient.connect(cfg.MONGODB_URI, { serverSelectionTimeoutMS: 10_000 });
  const app = buildApp({ client, db: mongo.db(cfg.MONGODB_DB), config: cfg, logger: log });

  let closing: Promise<void> | undefined;
  const close = (signal: string) => {
    closing ??= (async () => {
      log.info({ signal }, 'http server stopping');
      // Stop accepting, let in-flight requests (bounded by RETURN_WAIT_MS) finish, then drop the connections.
      await app.close();
      await connection.close();
      await mongo.close();
      await activeTracing()?.shutdown();
      log.info('http server stopped');
    })();
    return closing;
  };
  for (const s of ['SIGTERM', 'SIGINT'] as const) {
    process.once(s, () => {
      close(s).then(
        () => process.exit(0),
        (err: unknown) => {
          log.error({ err }, 'shutdown failed');
          process.exit(1);
        },
      );
    });
  }

  const address = await app.listen({ host: cfg.HTTP_HOST, port: cfg.HTTP_PORT, backlog: cfg.HTTP_LISTEN_BACKLOG });
  // Supervisors (npm start) wait for this line from their own child, so it is written whatever LOG_LEVEL says.
  log.child({}, { level: 'info' }).info({ url: address, namespace: cfg.TEMPORAL_NAMESPACE, taskQueue: cfg.TASK_QUEUE }, 'http server ready');
}

if (require.main === module) {
  runServer(configOrExit(loadHttpConfig)).catch((err: unknown) => {
    process.stderr.write(`http server failed: ${(err as Error).message}\n`);
    process.exit(1);
  });
}
