import { generateKeyPair } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { generate } from 'selfsigned';
import { EmulatorControl, parsePublicKey, type EmulatorState } from './control';
import { createRequestHandler } from './server';
import { MINUTE_MS } from './time';

export type { EmulatorState, ClockInfo, EmulatorConfigView } from './control';
export type { AdminCreateSessionInput, BuyerActionInput, SettleChargeInput } from './domain';
export type { FaultSpec } from './faults';
export type { LogEntry, LogFilter } from './request-log';
export type { IpnDelivery, SnsEnvelope } from './sns';
export { snsStringToSign } from './sns';

/**
 * A local, stateful Amazon Pay CV2 (DESIGN.md "Amazon Pay boundary"): same paths and bodies, its own signature
 * verifier, the session and charge state machines on its own clock, idempotency, pending authorizations,
 * SNS-signed IPNs, fault injection and effect counters. It imports nothing of the service.
 */
export interface EmulatorOptions {
  /** 0 or absent = a free port. */
  port?: number;
  /** Default 127.0.0.1. The admin API is unauthenticated: keep it on loopback. */
  host?: string;
  /** HTTPS with a generated self-signed certificate for 127.0.0.1 / localhost (see `tlsCaPem`). */
  tls?: boolean;
  /** publicKeyId → PEM (public key, private key or certificate). None → a demo key pair is generated. */
  publicKeys?: Record<string, string>;
  ipnUrl?: string;
  /** Allowed |wall clock − x-amz-pay-date|; default 15 minutes. */
  clockSkewMs?: number;
  /** Added to every API request (not admin); default 0. */
  latencyMs?: number;
  /** Wall clock; the emulator clock is this plus every admin advance. Default Date.now. */
  now?: () => number;
  /** MerchantID in IPN messages. */
  merchantId?: string;
  /** Delays before each IPN retry after a non-2xx or network error; its length bounds the retries. */
  ipnRetryDelaysMs?: readonly number[];
}

export interface Emulator {
  baseUrl: string;
  /** `${baseUrl}/_emulator` */
  adminUrl: string;
  /** With `tls`: the self-signed certificate (PEM) to trust. */
  tlsCaPem?: string;
  /** The certificate that signs IPNs, also served at `ipnCertUrl`. */
  ipnCertPem: string;
  ipnCertUrl: string;
  /** Present when no public keys were given: a key registered under `publicKeyId`. */
  demoKey?: { publicKeyId: string; privateKeyPem: string };
  state: EmulatorState;
  close(): Promise<void>;
}

export const DEMO_PUBLIC_KEY_ID = 'SANDBOX-EMULATORDEMOKEY';
const DEFAULT_MERCHANT_ID = 'AEMULATORMERCHANT';

const generateRsa = promisify(generateKeyPair);

async function demoKeyPair(): Promise<{ publicKeyId: string; privateKeyPem: string; publicKeyPem: string }> {
  const { privateKey, publicKey } = await generateRsa('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { publicKeyId: DEMO_PUBLIC_KEY_ID, privateKeyPem: privateKey, publicKeyPem: publicKey };
}

function tlsCertificate(): Promise<{ private: string; cert: string }> {
  return generate([{ name: 'commonName', value: 'localhost' }], {
    keySize: 2048,
    algorithm: 'sha256',
    notAfterDate: new Date(Date.now() + 365 * 24 * 3600 * 1000),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
          { type: 7, ip: '::1' },
        ],
      },
    ],
  });
}

function snsCertificate(): Promise<{ private: string; cert: string }> {
  return generate([{ name: 'commonName', value: 'sns.emulator.amazonaws.test' }], {
    keySize: 2048,
    algorithm: 'sha256',
    notAfterDate: new Date(Date.now() + 365 * 24 * 3600 * 1000),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true },
    ],
  });
}

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

export async function startEmulator(opts: EmulatorOptions = {}): Promise<Emulator> {
  const host = opts.host ?? '127.0.0.1';
  const wantDemoKey = !opts.publicKeys || Object.keys(opts.publicKeys).length === 0;
  const [sns, tls, demo] = await Promise.all([
    snsCertificate(),
    opts.tls ? tlsCertificate() : Promise.resolve(undefined),
    wantDemoKey ? demoKeyPair() : Promise.resolve(undefined),
  ]);
  // Fail on a bad key before listening.
  const keys = Object.entries(opts.publicKeys ?? {}).map(([id, pem]) => [id, parsePublicKey(id, pem)] as const);

  // The handler exists before the control object, which needs the bound port for its URLs.
  const ready: { control?: EmulatorControl } = {};
  const handler = createRequestHandler(() => ready.control, { snsCertPem: sns.cert });
  const server = tls ? https.createServer({ key: tls.private, cert: tls.cert }, handler) : http.createServer(handler);
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const baseUrl = `${tls ? 'https' : 'http'}://${urlHost(host)}:${port}`;

  const c = new EmulatorControl({
    wallNow: opts.now ?? Date.now,
    clockSkewMs: opts.clockSkewMs ?? 15 * MINUTE_MS,
    ipnUrl: opts.ipnUrl,
    latencyMs: opts.latencyMs ?? 0,
    baseUrl,
    merchantId: opts.merchantId ?? DEFAULT_MERCHANT_ID,
    snsSigningKeyPem: sns.private,
    ipnRetryDelaysMs: opts.ipnRetryDelaysMs,
  });
  for (const [id, key] of keys) c.keys.set(id, key);
  if (demo) c.addPublicKey(demo.publicKeyId, demo.publicKeyPem);
  ready.control = c;

  let closing: Promise<void> | undefined;
  return {
    baseUrl,
    adminUrl: `${baseUrl}/_emulator`,
    tlsCaPem: tls?.cert,
    ipnCertPem: sns.cert,
    ipnCertUrl: `${baseUrl}/_emulator/sns-cert.pem`,
    demoKey: demo ? { publicKeyId: demo.publicKeyId, privateKeyPem: demo.privateKeyPem } : undefined,
    state: c,
    close() {
      closing ??= (async () => {
        await c.close();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
      })();
      return closing;
    },
  };
}
