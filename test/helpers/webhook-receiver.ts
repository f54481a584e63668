// A merchant's webhook receiver on 127.0.0.1: verifies every delivery with verifyWebhook and answers from a script
// per checkout session, so tests running at once do not see each other's deliveries.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyWebhook, type VerifyResult } from '../../activities/webhooks/signing';

export interface Received {
  at: number;
  eventId: string | undefined;
  rawBody: string;
  body: Record<string, unknown>;
  /** Verified with the secrets the receiver holds. */
  verified: VerifyResult;
  /** Verified with the previous secret alone (rotation). */
  verifiedWithPrevious: VerifyResult;
  headers: Record<string, string | string[] | undefined>;
}

export interface Answer {
  status: number;
  headers?: Record<string, string>;
}

export interface Receiver {
  url: string;
  /** Answers for a session's deliveries, in order; the last one repeats. Default: 200. */
  script(checkoutSessionId: string, answers: Answer[]): void;
  received(checkoutSessionId: string): Received[];
  close(): Promise<void>;
}

export async function startReceiver(secrets: { current: string; previous: string }): Promise<Receiver> {
  const scripts = new Map<string, Answer[]>();
  const seen = new Map<string, Received[]>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      const header = req.headers['checkout-signature'] as string | undefined;
      const body = JSON.parse(rawBody) as Record<string, unknown>;
      const id = String(body.checkoutSessionId);
      const list = seen.get(id) ?? [];
      list.push({
        at: Date.now(),
        eventId: req.headers['checkout-event-id'] as string | undefined,
        rawBody,
        body,
        verified: verifyWebhook(rawBody, header, [secrets.current]),
        verifiedWithPrevious: verifyWebhook(rawBody, header, [secrets.previous]),
        headers: req.headers,
      });
      seen.set(id, list);
      const answers = scripts.get(id) ?? [];
      const a = answers[Math.min(list.length - 1, answers.length - 1)] ?? { status: 200 };
      res.writeHead(a.status, { 'content-type': 'text/plain', ...a.headers }).end(`answer ${a.status}: internal detail`);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/checkout`,
    script: (id, answers) => void scripts.set(id, answers),
    received: (id) => seen.get(id) ?? [],
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
