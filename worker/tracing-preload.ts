// Imported first by worker/main.ts: when OTEL_* configures tracing, the SDK must patch http and mongodb before any
// other module loads them (client/temporal/tracing.ts). Reads the process environment like a config.ts does.
import { startTracing } from '../client/temporal/tracing';

startTracing('checkout-worker', process.env);
