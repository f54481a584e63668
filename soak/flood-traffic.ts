// The flood script's traffic: requests as a client at a given address sends them (X-Forwarded-For, which the server
// trusts from loopback), tallied by phase and kind; a legitimate checkout; garbage returns and cancels; forged IPNs.
import { readFileSync } from 'node:fs';
import type { AdminCreateSessionInput } from '../emulator';
import { DEMO_ADDRESS, demoBuyer } from '../dev/fixtures';
import { pick, type Random } from './prng';
import type { Service } from './service';
import { sleep } from './drive';

export type Kind =
  'legit-start' | 'legit-return' | 'garbage-return' | 'garbage-cancel' | 'forged-ipn' | 'storm-start' | 'storm-return';

/** Answers by `phase/kind` and status ("error" = no HTTP answer), the error codes of 5xx answers, the first transport error. */
export class Tally {
  readonly statuses: Record<string, Record<string, number>> = {};
  readonly serverErrors: Record<string, Record<string, number>> = {};
  readonly firstTransportError: Record<string, string> = {};
  phase = 'warmup';

  count(kind: Kind, status: number | 'error', body = ''): void {
    const key = `${this.phase}/${kind}`;
    const s = (this.statuses[key] ??= {});
    s[String(status)] = (s[String(status)] ?? 0) + 1;
    if (typeof status === 'number' && status >= 500) {
      const code = /"error":"([a-z_]+)"/.exec(body)?.[1] ?? 'unknown';
      const e = (this.serverErrors[key] ??= {});
      e[`${status} ${code}`] = (e[`${status} ${code}`] ?? 0) + 1;
    }
  }

  /** Adds another process's tally (the attacker's). */
  merge(o: Pick<Tally, 'statuses' | 'serverErrors' | 'firstTransportError'>): void {
    for (const [mine, theirs] of [
      [this.statuses, o.statuses],
      [this.serverErrors, o.serverErrors],
    ] as const) {
      for (const [key, counts] of Object.entries(theirs)) {
        const m = (mine[key] ??= {});
        for (const [k, n] of Object.entries(counts)) m[k] = (m[k] ?? 0) + n;
      }
    }
    for (const [key, e] of Object.entries(o.firstTransportError)) this.firstTransportError[key] ??= e;
  }

  requests(key: string): number {
    return Object.values(this.statuses[key] ?? {}).reduce((a, b) => a + b, 0);
  }
}

export interface Answer {
  status: number;
  body: string;
}

/** One request from `address`; a transport error (refused, reset, 30 s without an answer) is tallied and thrown. */
export async function send(
  svc: Pick<Service, 'serviceUrl'>,
  t: Tally,
  kind: Kind,
  address: string,
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Answer> {
  try {
    const res = await fetch(`${svc.serviceUrl}${path}`, {
      method: init.method ?? 'GET',
      body: init.body,
      redirect: 'manual',
      headers: { accept: 'application/json', 'x-forwarded-for': address, ...init.headers },
      signal: AbortSignal.timeout(30_000),
    });
    const body = await res.text();
    t.count(kind, res.status, body);
    return { status: res.status, body };
  } catch (err) {
    t.count(kind, 'error');
    const e = err as Error & { cause?: Error };
    t.firstTransportError[`${t.phase}/${kind}`] ??= `${e.message}${e.cause ? `: ${e.cause.message}` : ''}`;
    throw err;
  }
}

const stateOf = (a: Answer): string | undefined => {
  try {
    return (JSON.parse(a.body) as { state?: string }).state;
  } catch {
    return undefined;
  }
};

/** `10.<net>.x.y`: the nth buyer's own address. */
export const buyerAddress = (net: number, n: number) => `10.${net}.${Math.floor(n / 250) % 256}.${(n % 250) + 1}`;

/** An approved Amazon session the merchant has started (201); its ID. */
export async function startSession(svc: Service, t: Tally, kind: Kind, n: number, address: string): Promise<string> {
  const chargeAmount = { amount: '14.00', currencyCode: 'USD' };
  const input: AdminCreateSessionInput = {
    publicKeyId: svc.publicKeyId,
    chargeAmount,
    paymentIntent: 'AuthorizeWithCapture',
    buyer: demoBuyer(`flood-${n}`),
    shippingAddress: { ...DEMO_ADDRESS },
    billingAddress: { ...DEMO_ADDRESS },
    checkoutResultReturnUrl: `${svc.serviceUrl}/checkout/return`,
  };
  const id = String(svc.emulator.state.createCheckoutSession(input).checkoutSessionId);
  svc.emulator.state.buyerAction(id, { action: 'approve' });
  const r = await send(svc, t, kind, address, '/api/checkout-sessions', {
    method: 'POST',
    headers: { authorization: `Bearer ${svc.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      checkoutSessionId: id,
      flow: 'complete',
      chargeAmount,
      deadline: new Date(Date.now() + 3600_000).toISOString(),
    }),
  });
  if (r.status !== 201) throw new Error(`start ${id} answered ${r.status}: ${r.body.slice(0, 200)}`);
  return id;
}

/**
 * The buyer's return until the final answer (a 202 is "ask again": after `retryMs`, as the pending page does); the
 * final state and the time from the first request to it. Transport errors are retried when `retryErrors`.
 */
export async function returnUntilFinal(
  svc: Service,
  t: Tally,
  kind: Kind,
  id: string,
  address: string,
  o: { retryMs: number; retryErrors: boolean; deadline: number },
): Promise<{ state: string; ms: number }> {
  const t0 = performance.now();
  for (;;) {
    const r = await send(svc, t, kind, address, `/checkout/return?amazonCheckoutSessionId=${id}`).catch(
      (err: unknown) => {
        if (!o.retryErrors) throw err;
        return undefined;
      },
    );
    if (r && r.status !== 202) {
      const state = stateOf(r);
      if (r.status !== 200 || !state) throw new Error(`return ${id} answered ${r.status}: ${r.body.slice(0, 200)}`);
      return { state, ms: performance.now() - t0 };
    }
    if (Date.now() > o.deadline) throw new Error(`return ${id}: no final answer before the time bound`);
    await sleep(o.retryMs);
  }
}

/** Runs `task(i)` for every i < n, `concurrency` at once, none begun after `deadline`; failures are the task's to count. */
export async function loop(
  n: number,
  concurrency: number,
  deadline: number,
  task: (i: number) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.max(1, concurrency) }, async () => {
      while (next < n && Date.now() < deadline) await task(next++).catch(() => undefined);
    }),
  );
}

export const FLOODERS = ['203.0.113.1', '203.0.113.2', '203.0.113.3', '203.0.113.4'];
const hex = (rnd: Random, n: number) => Array.from({ length: n }, () => Math.floor(rnd() * 16).toString(16)).join('');
const uuid = (rnd: Random) => `${hex(rnd, 8)}-${hex(rnd, 4)}-4${hex(rnd, 3)}-a${hex(rnd, 3)}-${hex(rnd, 12)}`;
/** 70 % from the four flooders, 30 % from random addresses (which each pass the per-address limit). */
const floodAddress = (rnd: Random, i: number) =>
  rnd() < 0.7 ? FLOODERS[i % FLOODERS.length]! : `198.18.${Math.floor(rnd() * 256)}.${Math.floor(rnd() * 254) + 1}`;

/** A return (2/3) or cancel (1/3) for a never-started but well-formed ID, or for a malformed one. */
export function garbageRequest(svc: Pick<Service, 'serviceUrl'>, t: Tally, rnd: Random) {
  return (i: number) => {
    const cancel = i % 3 === 0;
    const id = pick(rnd, [
      [uuid(rnd), 5],
      [`S01-${hex(rnd, 7)}-${hex(rnd, 7)}`, 2],
      ['x'.repeat(101 + Math.floor(rnd() * 400)), 1], // too long
      [`a/b<${hex(rnd, 4)}>`, 1], // bad characters
      ['', 1],
    ] as const);
    const path = `/checkout/${cancel ? 'cancel' : 'return'}?amazonCheckoutSessionId=${encodeURIComponent(id)}`;
    return send(svc, t, cancel ? 'garbage-cancel' : 'garbage-return', floodAddress(rnd, i), path);
  };
}

/**
 * Forged IPNs as SNS posts them (text/plain JSON envelopes with a bogus signature): a certificate on a foreign host, on
 * one of 8 SNS-shaped URLs (the server may fetch each, a bounded number of times), an unsupported SignatureVersion,
 * truncated JSON, and non-JSON junk.
 */
export function forgedIpn(svc: Pick<Service, 'serviceUrl'>, t: Tally, rnd: Random) {
  const snsUrls = Array.from(
    { length: 8 },
    (_, k) => `https://sns.us-east-1.amazonaws.com/SimpleNotificationService-${k.toString(16).repeat(32)}.pem`,
  );
  return (i: number) => {
    const envelope = {
      Type: 'Notification',
      MessageId: uuid(rnd),
      TopicArn: 'arn:aws:sns:us-east-1:123456789012:forged',
      Message: JSON.stringify({
        ObjectType: 'CHARGE',
        ObjectId: `S01-${hex(rnd, 7)}-${hex(rnd, 7)}-C${hex(rnd, 6)}`,
        ChargePermissionId: `S01-${hex(rnd, 7)}-${hex(rnd, 7)}`,
        NotificationType: 'STATE_CHANGE',
      }),
      Timestamp: new Date().toISOString(),
      SignatureVersion: '1',
      Signature: Buffer.from(hex(rnd, 256), 'hex').toString('base64'),
      SigningCertURL: pick(rnd, [
        [`https://evil.example/SimpleNotificationService-${hex(rnd, 32)}.pem`, 3],
        [`https://sns.us-east-1.amazonaws.com.evil.example/SimpleNotificationService-${hex(rnd, 32)}.pem`, 1],
        [snsUrls[i % snsUrls.length]!, 3],
      ] as const),
    };
    const body = pick(rnd, [
      [JSON.stringify(envelope), 7],
      [JSON.stringify({ ...envelope, SignatureVersion: '9' }), 1],
      [JSON.stringify(envelope).slice(0, 40), 1],
      [`garbage ${hex(rnd, 64)}`, 1],
    ] as const);
    return send(svc, t, 'forged-ipn', floodAddress(rnd, i), '/amazon-pay/ipn', {
      method: 'POST',
      headers: { 'content-type': 'text/plain; charset=UTF-8', 'x-amz-sns-message-type': 'Notification' },
      body,
    });
  };
}

/** The process's resident memory, MiB (NaN once it has gone). */
export function rssMiB(pid: number): number {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** The p-quantile (nearest rank) of ascending `xs`, ms rounded; NaN for none. */
export const quantile = (xs: number[], p: number) =>
  xs.length ? Math.round(xs[Math.min(xs.length - 1, Math.ceil(p * xs.length) - 1)]!) : Number.NaN;
