// Connection settings shared by the worker, the HTTP server and the CLI (DESIGN.md: client/temporal is the one home).
import { Client, Connection } from '@temporalio/client';

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

export async function connectClient(s: TemporalSettings): Promise<{ client: Client; connection: Connection }> {
  const connection = await Connection.connect(connectionOptions(s));
  return { client: new Client({ connection, namespace: s.namespace }), connection };
}
