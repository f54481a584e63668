// Connection settings shared by the worker, the HTTP server and the CLI (DESIGN.md: client/temporal is the one home).
import { Client, Connection } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { workflowClientInterceptors } from './tracing';

export interface TemporalSettings {
  address: string;
  namespace: string;
  apiKey?: string;
  tls?: boolean;
}

export function connectionOptions(s: TemporalSettings) {
  return {
    address: s.address,
    ...(s.apiKey ? { apiKey: s.apiKey } : {}),
    ...(s.tls || s.apiKey ? { tls: true } : {}),
  };
}

/**
 * The client every process uses (the worker's NativeConnection takes the same connectionOptions). With tracing on
 * (client/temporal/tracing.ts), its starts, signals and updates carry the caller's trace into the workflow.
 */
export async function connectClient(s: TemporalSettings, dataConverter?: DataConverter): Promise<{ client: Client; connection: Connection }> {
  const connection = await Connection.connect(connectionOptions(s));
  const traced = workflowClientInterceptors();
  return {
    client: new Client({
      connection,
      namespace: s.namespace,
      ...(dataConverter ? { dataConverter } : {}),
      ...(traced.length > 0 ? { interceptors: { workflow: traced } } : {}),
    }),
    connection,
  };
}
