import { createPrivateKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { rootCertificates } from 'node:tls';
import type { z } from 'zod';
import { AmazonPayError, classifyResponse, classifyTransportError, isAmbiguousOperation } from './errors';
import { IDEMPOTENCY_KEY_PATTERN } from './idempotency';
import type { Money } from '../../domain/money';
import {
  CancelChargeBodySchema,
  CaptureChargeBodySchema,
  ChargePermissionSchema,
  ChargeSchema,
  CheckoutSessionSchema,
  CompleteCheckoutSessionBodySchema,
  CreateCheckoutSessionBodySchema,
  FinalizeCheckoutSessionBodySchema,
  UpdateCheckoutSessionBodySchema,
  type Charge,
  type ChargePermission,
  type CheckoutSession,
  type CompleteCheckoutSessionBody,
  type CreateCheckoutSessionBody,
  type FinalizeCheckoutSessionBody,
  type UpdateCheckoutSessionBody,
} from './schemas';
import { SIGNING_ALGORITHMS, formatAmzDate, signRequest, type SigningAlgorithm } from './signing';

export type AmazonPayRegion = 'na' | 'eu' | 'jp' | 'us' | 'de' | 'uk';

export interface AmazonPayClientConfig {
  publicKeyId: string;
  /** PEM text, or the path of a PEM file (read once, here). Kept only as a KeyObject inside the client's closure. */
  privateKey: string | Buffer;
  /** SDK region codes (reference §1): `us` is `na`, `de` and `uk` are `eu`. */
  region: AmazonPayRegion;
  /** Adds `/sandbox` (true) or `/live` (false) unless `publicKeyId` starts with SANDBOX or LIVE (reference §1). */
  sandbox?: boolean;
  algorithm?: SigningAlgorithm;
  /** http(s) origin plus optional path prefix, e.g. the local emulator; region and env rules still apply. */
  baseUrl?: string;
  /** Extra trusted CA (PEM) for an https `baseUrl`, added to Node's roots for this client only. */
  ca?: string | Buffer;
  timeoutMs?: number;
  now?: () => Date;
  userAgent?: string;
}

export interface AmazonPayResponse<T> {
  status: number;
  body: T;
  /** `x-amz-pay-request-id`, the ID Amazon support asks for. */
  requestId?: string;
}

export interface AmazonPayClient {
  createCheckoutSession(
    body: CreateCheckoutSessionBody,
    opts: { idempotencyKey: string },
  ): Promise<AmazonPayResponse<CheckoutSession>>;
  getCheckoutSession(id: string): Promise<AmazonPayResponse<CheckoutSession>>;
  updateCheckoutSession(id: string, body: UpdateCheckoutSessionBody): Promise<AmazonPayResponse<CheckoutSession>>;
  /** 200, or 202 when authorization is pending (reference §5.2). */
  completeCheckoutSession(
    id: string,
    body: CompleteCheckoutSessionBody,
    opts: { idempotencyKey: string },
  ): Promise<AmazonPayResponse<CheckoutSession>>;
  finalizeCheckoutSession(
    id: string,
    body: FinalizeCheckoutSessionBody,
    opts: { idempotencyKey: string },
  ): Promise<AmazonPayResponse<CheckoutSession>>;
  getCharge(id: string): Promise<AmazonPayResponse<Charge>>;
  captureCharge(
    id: string,
    body: { captureAmount: Money; softDescriptor?: string },
    opts: { idempotencyKey: string },
  ): Promise<AmazonPayResponse<Charge>>;
  cancelCharge(id: string, body: { cancellationReason: string }): Promise<AmazonPayResponse<Charge>>;
  getChargePermission(id: string): Promise<AmazonPayResponse<ChargePermission>>;
  /** Base URL requests go to, including the env segment and `/v2`; safe to log. */
  readonly endpoint: string;
}

const REGIONS: Record<AmazonPayRegion, { region: 'na' | 'eu' | 'jp'; host: string }> = {
  na: { region: 'na', host: 'pay-api.amazon.com' },
  us: { region: 'na', host: 'pay-api.amazon.com' },
  eu: { region: 'eu', host: 'pay-api.amazon.eu' },
  de: { region: 'eu', host: 'pay-api.amazon.eu' },
  uk: { region: 'eu', host: 'pay-api.amazon.eu' },
  jp: { region: 'jp', host: 'pay-api.amazon.jp' },
};

const DEFAULT_TIMEOUT_MS = 10_000;
const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;
const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

function configError(message: string): AmazonPayError {
  return new AmazonPayError(`createAmazonPayClient: ${message}`, {
    kind: 'AmazonPayConfig',
    operation: 'createAmazonPayClient',
  });
}

/** Errors here never carry the value or a cause: a mistyped key could otherwise reach a log via an fs error's path. */
function loadPrivateKey(value: unknown): KeyObject {
  let pem: string | Buffer;
  if (Buffer.isBuffer(value)) {
    pem = value;
  } else if (typeof value === 'string' && value.length > 0) {
    if (value.includes('-----BEGIN')) {
      pem = value;
    } else {
      try {
        pem = readFileSync(value);
      } catch (e) {
        const code = (e as { code?: unknown }).code;
        throw configError(
          `privateKey is neither PEM text nor a readable file (${typeof code === 'string' ? code : 'read failed'})`,
        );
      }
    }
  } else {
    throw configError('privateKey is required (PEM text or a file path)');
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch {
    throw configError('privateKey is not a valid PEM private key (PKCS#8 or PKCS#1)');
  }
  if (key.asymmetricKeyType !== 'rsa') throw configError('privateKey must be an RSA key');
  return key;
}

function parseBaseUrl(value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw configError('baseUrl is not a valid URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw configError('baseUrl must be http or https');
  if (url.search || url.hash || url.username || url.password) {
    throw configError('baseUrl may not contain a query, fragment or credentials');
  }
  return url;
}

interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

interface TransportRejection {
  error: unknown;
  requestSent: boolean;
  timedOut: boolean;
}

function codedError(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

/**
 * One HTTP exchange. `requestSent` means the server may hold the complete request: the connection (for https, the
 * TLS handshake) was established and the whole request was handed to the OS ('finish'). Until then a failure is safe
 * to retry even for complete/finalize. 'finish' alone is not enough: on a TLS socket it can fire while the request
 * still waits for the handshake.
 */
function send(
  target: { origin: URL; path: string; method: string; headers: Record<string, string>; body?: Buffer },
  agent: http.Agent,
  timeoutMs: number,
): Promise<RawResponse> {
  return new Promise<RawResponse>((resolve, reject) => {
    const url = target.origin;
    const mod = url.protocol === 'https:' ? https : http;
    let connected = false;
    let finished = false;
    let responded = false;
    let timedOut = false;
    let settled = false;

    const req = mod.request({
      protocol: url.protocol,
      hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: url.port || undefined,
      path: target.path,
      method: target.method,
      headers: target.headers,
      agent,
    });
    const fail = (error: unknown): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      reject({ error, requestSent: responded || (connected && finished), timedOut } satisfies TransportRejection);
    };
    const timer = setTimeout(() => {
      timedOut = true;
      fail(codedError(`no response within ${timeoutMs} ms`, 'ETIMEDOUT'));
    }, timeoutMs);

    req.on('socket', (socket) => {
      if (req.reusedSocket || (url.protocol === 'http:' && !socket.connecting)) connected = true;
      else socket.once(url.protocol === 'https:' ? 'secureConnect' : 'connect', () => (connected = true));
    });
    req.on('finish', () => {
      finished = true;
    });
    req.on('error', fail);
    req.on('response', (res) => {
      responded = true;
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_RESPONSE_BYTES) fail(codedError('response body too large', 'ERR_RESPONSE_TOO_LARGE'));
        else chunks.push(chunk);
      });
      res.on('error', fail);
      res.on('close', () => {
        if (!res.complete) fail(codedError('connection closed before the response ended', 'ECONNRESET'));
      });
      res.on('end', () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) });
      });
    });
    req.end(target.body);
  });
}

function issuePaths(error: z.ZodError): string {
  const paths = [...new Set(error.issues.map((i) => (i.path.length ? i.path.join('.') : '(root)')))];
  return paths.slice(0, 5).join(', ') + (paths.length > 5 ? ', ...' : '');
}

export function createAmazonPayClient(cfg: AmazonPayClientConfig): AmazonPayClient {
  if (typeof cfg.publicKeyId !== 'string' || cfg.publicKeyId.trim() === '') {
    throw configError('publicKeyId is required');
  }
  const regionInfo = Object.prototype.hasOwnProperty.call(REGIONS, cfg.region) ? REGIONS[cfg.region] : undefined;
  if (!regionInfo) throw configError(`region must be one of ${Object.keys(REGIONS).join(', ')}`);
  const region = regionInfo.region;
  const algorithm = cfg.algorithm ?? 'AMZN-PAY-RSASSA-PSS-V2';
  if (!SIGNING_ALGORITHMS.includes(algorithm))
    throw configError(`algorithm must be one of ${SIGNING_ALGORITHMS.join(', ')}`);
  const timeoutMs = cfg.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0 || timeoutMs > 2_147_483_647) {
    throw configError('timeoutMs must be a positive integer');
  }
  const publicKeyId = cfg.publicKeyId.trim();
  const privateKey = loadPrivateKey(cfg.privateKey);
  const now = cfg.now ?? (() => new Date());
  const userAgent = cfg.userAgent ?? `checkout-orchestrator (Node ${process.version}; ${process.platform})`;

  const base = parseBaseUrl(cfg.baseUrl ?? `https://${regionInfo.host}`);
  const envPrefixedKey = /^(LIVE|SANDBOX)/.test(publicKeyId.toUpperCase());
  const envSegment = envPrefixedKey ? '' : cfg.sandbox === true ? 'sandbox/' : 'live/';
  const pathPrefix = `${base.pathname.replace(/\/+$/, '')}/${envSegment}v2`;
  const endpoint = `${base.origin}${pathPrefix}`;

  // Per-client agent: a custom CA never touches other clients or the process (unlike the Node SDK, reference §4).
  // No keep-alive: a pooled socket the server already closed fails after the request is written, which would make a
  // harmless reconnect look like an ambiguous complete.
  const agent =
    base.protocol === 'https:'
      ? new https.Agent({
          keepAlive: false,
          ...(cfg.ca !== undefined ? { ca: [...rootCertificates, cfg.ca.toString()] } : {}),
        })
      : new http.Agent({ keepAlive: false });

  function rejectLocally(operation: string, what: string): AmazonPayError {
    return new AmazonPayError(`${operation}: ${what} (request not sent)`, { kind: 'AmazonPayRejected', operation });
  }

  function resourcePath(operation: string, collection: string, id: string, action?: string): string {
    if (typeof id !== 'string' || !ID_PATTERN.test(id)) throw rejectLocally(operation, 'invalid resource id');
    return action ? `${collection}/${id}/${action}` : `${collection}/${id}`;
  }

  async function call<S extends z.ZodType>(req: {
    operation: string;
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
    resource: string;
    body?: { value: unknown; schema: z.ZodType };
    idempotencyKey?: string;
    responseSchema: S;
  }): Promise<AmazonPayResponse<z.output<S>>> {
    const { operation } = req;
    let payload: Buffer | undefined;
    if (req.body) {
      const checked = req.body.schema.safeParse(req.body.value);
      if (!checked.success) throw rejectLocally(operation, `invalid request body at ${issuePaths(checked.error)}`);
      // Serialised once; these exact bytes are hashed and sent (reference §2.2).
      let json: string | undefined;
      try {
        json = JSON.stringify(req.body.value);
      } catch {
        json = undefined;
      }
      if (json === undefined) throw rejectLocally(operation, 'request body is not serialisable');
      payload = Buffer.from(json, 'utf8');
    }

    const headers: Record<string, string> = {
      accept: 'application/json',
      'content-type': 'application/json',
      'x-amz-pay-date': formatAmzDate(now()),
      'x-amz-pay-host': base.host,
      'x-amz-pay-region': region,
    };
    if (req.idempotencyKey !== undefined) {
      if (!IDEMPOTENCY_KEY_PATTERN.test(req.idempotencyKey)) {
        throw rejectLocally(operation, 'idempotency key must be 1-32 characters of [A-Za-z0-9_-]');
      }
      headers['x-amz-pay-idempotency-key'] = req.idempotencyKey;
    }
    const path = `${pathPrefix}/${req.resource}`;
    const signed = signRequest({
      method: req.method,
      path,
      headers,
      body: payload ?? '',
      privateKey,
      publicKeyId,
      algorithm,
    });
    signed['user-agent'] = userAgent;
    if (payload) signed['content-length'] = String(payload.length);

    let res: RawResponse;
    try {
      res = await send({ origin: base, path, method: req.method, headers: signed, body: payload }, agent, timeoutMs);
    } catch (rejection) {
      const r = rejection as TransportRejection;
      throw classifyTransportError({
        operation,
        error: r.error,
        requestSent: r.requestSent,
        timedOut: r.timedOut,
        timeoutMs,
      });
    }

    const requestIdHeader = res.headers['x-amz-pay-request-id'];
    const requestId = Array.isArray(requestIdHeader) ? requestIdHeader[0] : requestIdHeader;
    if (res.status < 200 || res.status > 299) {
      throw classifyResponse({ operation, status: res.status, headers: res.headers, body: res.body, now: now() });
    }

    // A 2xx we cannot read: for complete/finalize the call may have succeeded, so the workflow must reconcile.
    const unreadable = (what: string): AmazonPayError =>
      new AmazonPayError(`${operation}: ${what} (HTTP ${res.status})`, {
        kind: isAmbiguousOperation(operation) ? 'AmazonPayAmbiguous' : 'AmazonPayRetryable',
        operation,
        status: res.status,
        requestId,
      });
    let json: unknown;
    try {
      json = JSON.parse(res.body.toString('utf8'));
    } catch {
      throw unreadable('response body is not JSON');
    }
    const parsed = req.responseSchema.safeParse(json);
    if (!parsed.success) throw unreadable(`response body failed validation at ${issuePaths(parsed.error)}`);
    return { status: res.status, body: parsed.data as z.output<S>, ...(requestId !== undefined ? { requestId } : {}) };
  }

  return Object.freeze({
    endpoint,
    createCheckoutSession: async (body, opts) =>
      call({
        operation: 'createCheckoutSession',
        method: 'POST',
        resource: 'checkoutSessions',
        body: { value: body, schema: CreateCheckoutSessionBodySchema },
        idempotencyKey: opts.idempotencyKey,
        responseSchema: CheckoutSessionSchema,
      }),
    getCheckoutSession: async (id) =>
      call({
        operation: 'getCheckoutSession',
        method: 'GET',
        resource: resourcePath('getCheckoutSession', 'checkoutSessions', id),
        responseSchema: CheckoutSessionSchema,
      }),
    updateCheckoutSession: async (id, body) =>
      call({
        operation: 'updateCheckoutSession',
        method: 'PATCH',
        resource: resourcePath('updateCheckoutSession', 'checkoutSessions', id),
        body: { value: body, schema: UpdateCheckoutSessionBodySchema },
        responseSchema: CheckoutSessionSchema,
      }),
    completeCheckoutSession: async (id, body, opts) =>
      call({
        operation: 'completeCheckoutSession',
        method: 'POST',
        resource: resourcePath('completeCheckoutSession', 'checkoutSessions', id, 'complete'),
        body: { value: body, schema: CompleteCheckoutSessionBodySchema },
        idempotencyKey: opts.idempotencyKey,
        responseSchema: CheckoutSessionSchema,
      }),
    finalizeCheckoutSession: async (id, body, opts) =>
      call({
        operation: 'finalizeCheckoutSession',
        method: 'POST',
        resource: resourcePath('finalizeCheckoutSession', 'checkoutSessions', id, 'finalize'),
        body: { value: body, schema: FinalizeCheckoutSessionBodySchema },
        idempotencyKey: opts.idempotencyKey,
        responseSchema: CheckoutSessionSchema,
      }),
    getCharge: async (id) =>
      call({
        operation: 'getCharge',
        method: 'GET',
        resource: resourcePath('getCharge', 'charges', id),
        responseSchema: ChargeSchema,
      }),
    captureCharge: async (id, body, opts) =>
      call({
        operation: 'captureCharge',
        method: 'POST',
        resource: resourcePath('captureCharge', 'charges', id, 'capture'),
        body: { value: body, schema: CaptureChargeBodySchema },
        idempotencyKey: opts.idempotencyKey,
        responseSchema: ChargeSchema,
      }),
    cancelCharge: async (id, body) =>
      call({
        operation: 'cancelCharge',
        method: 'DELETE',
        resource: resourcePath('cancelCharge', 'charges', id, 'cancel'),
        body: { value: body, schema: CancelChargeBodySchema },
        responseSchema: ChargeSchema,
      }),
    getChargePermission: async (id) =>
      call({
        operation: 'getChargePermission',
        method: 'GET',
        resource: resourcePath('getChargePermission', 'chargePermissions', id),
        responseSchema: ChargePermissionSchema,
      }),
  } satisfies AmazonPayClient);
}
