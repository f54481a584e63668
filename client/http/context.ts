// What every route receives from buildApp: injected clients and the parsed configuration, nothing global.
import type { Client } from '@temporalio/client';
import type { FastifyRequest } from 'fastify';
import type { Db } from 'mongodb';
import type { Logger } from 'pino';
import type { CheckoutRecords } from '../../records/checkout-sessions';
import type { HttpConfig } from './config';
import type { KnownSessions } from './known-sessions';
import type { HttpMetrics } from './metrics';
import type { SnsVerifier } from './sns';

export interface AppContext {
  client: Client;
  db: Db;
  records: CheckoutRecords;
  config: HttpConfig;
  log: Logger;
  metrics: HttpMetrics;
  sns: SnsVerifier;
  /** Session IDs known to exist, and the budget for records reads of the others. */
  knownSessions: KnownSessions;
}

/** The buyer's browser gets redirects and pages; API callers ask for JSON. */
export function wantsJson(req: FastifyRequest): boolean {
  const accept = req.headers.accept ?? '';
  return /application\/json/i.test(accept) && !/text\/html/i.test(accept);
}

export async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([p, t]);
  } finally {
    clearTimeout(timer);
  }
}
