// The merchant's webhook receiver, as a careful merchant writes it: verifies the Checkout-Signature, keeps each
// event once by its ID (deliveries are at least once), and — for the soak — fails a seeded share of requests the
// ways real receivers do: 503, 429 with Retry-After, a dropped connection, an answer slower than the sender waits.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyWebhook } from '../activities/webhooks/signing';
import type { Random } from './prng';

export interface ReceivedEvent {
  eventId: string;
  type: string;
  checkoutSessionId: string;
  state: string;
  recovered: boolean;
  /** How many deliveries of this event ID reached the receiver's handler and were accepted (2xx or slow). */
  deliveries: number;
}

export interface WebhookReceiver {
  url: string;
  /** Events by ID: what a deduplicating receiver keeps. */
  events: Map<string, ReceivedEvent>;
  faults: Record<string, number>;
  badSignatures: number;
  setFaultRate(rate: number): void;
  close(): Promise<void>;
}

const readBody = (req: IncomingMessage): Promise<Buffer> =>
  new Promise((res, rej) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => res(Buffer.concat(chunks)));
    req.on('error', rej);
  });

export async function startWebhookReceiver(o: { secrets: string[]; faultRate: number; rnd: Random; slowMs: number }): Promise<WebhookReceiver> {
  let faultRate = o.faultRate;
  const events = new Map<string, ReceivedEvent>();
  const faults: Record<string, number> = {};
  let badSignatures = 0;
  const fault = (kind: string) => (faults[kind] = (faults[kind] ?? 0) + 1);

  const keep = (body: Buffer) => {
    const e = JSON.parse(body.toString('utf8')) as Omit<ReceivedEvent, 'deliveries'>;
    const seen = events.get(e.eventId);
    if (seen) seen.deliveries += 1;
    else events.set(e.eventId, { eventId: e.eventId, type: e.type, checkoutSessionId: e.checkoutSessionId, state: e.state, recovered: e.recovered, deliveries: 1 });
  };

  const server: Server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      const v = verifyWebhook(body, req.headers['checkout-signature'] as string | undefined, o.secrets);
      if (!v.ok) {
        badSignatures += 1;
        res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: v.reason }));
        return;
      }
      const roll = o.rnd();
      if (roll < faultRate) {
        const kind = Math.floor((roll / faultRate) * 4);
        if (kind === 0) {
          fault('503');
          res.writeHead(503).end();
        } else if (kind === 1) {
          fault('429+Retry-After');
          res.writeHead(429, { 'retry-after': '1' }).end();
        } else if (kind === 2) {
          fault('connection dropped');
          req.socket.destroy();
        } else {
          // Kept, but answered after the sender gave up: the sender retries and the receiver sees it twice.
          fault('answered too late');
          keep(body);
          setTimeout(() => res.writeHead(200).end(), o.slowMs);
        }
        return;
      }
      keep(body);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    })().catch(() => {
      res.writeHead(500).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhooks/amazon-pay-checkout`,
    events,
    faults,
    get badSignatures() {
      return badSignatures;
    },
    setFaultRate: (r) => (faultRate = r),
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
