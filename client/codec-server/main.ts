// The codec server process (npm start runs it for the Temporal UI): configuration, keys, listen, graceful stop.
import pino from 'pino';
import { AesGcmCodec } from '../temporal/codec';
import { createCodecServer } from './app';
import { configOrExit } from '../temporal/env';
import { loadCodecServerConfig } from './config';

function main(): void {
  const cfg = configOrExit(loadCodecServerConfig);
  const log = pino({
    name: 'codec-server',
    level: cfg.logLevel,
    redact: { paths: ['*.authorization', '*.token', 'token'], censor: '[redacted]' },
  });
  const codec = new AesGcmCodec(cfg.keys);
  const server = createCodecServer({
    codec,
    token: cfg.token,
    corsOrigins: cfg.corsOrigins,
    allowUiOriginWithoutToken: cfg.allowUiOriginWithoutToken,
    bodyLimitBytes: cfg.bodyLimitBytes,
    log,
  });
  server.listen(cfg.port, cfg.host, () => {
    const a = server.address();
    const port = typeof a === 'object' && a ? a.port : cfg.port;
    const host = cfg.host.includes(':') ? `[${cfg.host}]` : cfg.host;
    // Supervisors (npm start) wait for this line from their own child, so it is written whatever LOG_LEVEL says.
    log.child({}, { level: 'info' }).info(
      {
        url: `http://${host}:${port}`,
        corsOrigins: cfg.corsOrigins,
        uiOriginWithoutToken: cfg.allowUiOriginWithoutToken,
        currentKeyId: codec.currentKeyId,
        keyIds: codec.keyIds,
      },
      'codec server ready',
    );
  });
  const stop = (signal: string) => {
    log.info({ signal }, 'codec server stopping');
    server.close(() => process.exit(0));
    server.closeAllConnections();
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

main();
