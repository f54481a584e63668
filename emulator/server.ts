import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { SIMULATION_CODES, matchRoute, sessionIdOf, type ApiRoute } from './api';
import { handleAdmin } from './admin';
import type { EmulatorControl } from './control';
import type { OpContext, OpResult } from './domain';
import { ApiError } from './errors';
import type { LogEntry } from './request-log';
import { sendBytes, sendJson, type ServerExtras } from './http-util';
import { headerValue, sha256Hex, verifyRequest } from './signature';

const MAX_BODY_BYTES = 1 << 20;
const IDEMPOTENCY_KEY_RE = /^[A-Za-z0-9_-]{1,32}$/;
/** Amazon requires a key on these POSTs (reference §3.1: create, capture; the SDK makes `headers` mandatory). */
const KEY_REQUIRED = new Set(['createCheckoutSession', 'captureCharge']);

export type { ServerExtras } from './http-util';

export function createRequestHandler(
  getControl: () => EmulatorControl | undefined,
  extras: ServerExtras,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const control = getControl();
    if (!control) {
      res.writeHead(503).end();
      return;
    }
    readBody(req).then(
      (body) => {
        const url = req.url ?? '/';
        const q = url.indexOf('?');
        const pathname = q < 0 ? url : url.slice(0, q);
        const rawQuery = q < 0 ? '' : url.slice(q + 1);
        const work = pathname.startsWith('/_emulator/')
          ? handleAdmin(control, req, res, pathname, new URLSearchParams(rawQuery), body, extras)
          : handleApi(control, req, res, pathname, rawQuery, body);
        work.catch((err: unknown) => {
          if (!res.headersSent && !res.destroyed) {
            sendJson(
              res,
              500,
              { reasonCode: 'InternalServerError', message: 'Internal emulator error.' },
              randomUUID(),
            );
          }
          // Visible in test output; never reached in a healthy run.
          process.emitWarning(
            `amazon-pay emulator: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
          );
        });
      },
      () => {
        if (!res.headersSent)
          sendJson(res, 413, { reasonCode: 'InvalidRequest', message: 'Request body too large.' }, randomUUID());
      },
    );
  };
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error('body too large'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function destroySocket(req: IncomingMessage): void {
  req.socket.destroy();
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function parseJsonBody(body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  let v: unknown;
  try {
    v = JSON.parse(body.toString('utf8'));
  } catch {
    throw new ApiError(400, 'InvalidRequestFormat', 'The request body is not valid JSON.');
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw new ApiError(400, 'InvalidRequestFormat', 'The request body must be a JSON object.');
  }
  return v as Record<string, unknown>;
}

function execute(c: EmulatorControl, route: ApiRoute, body: Buffer, ctx: OpContext): OpResult {
  const d = c.domain;
  const id = route.id ?? '';
  switch (route.operation) {
    case 'createCheckoutSession':
      return d.createCheckoutSession(parseJsonBody(body), ctx);
    case 'getCheckoutSession':
      return d.getCheckoutSession(id, ctx);
    case 'updateCheckoutSession':
      return d.updateCheckoutSession(id, parseJsonBody(body), ctx);
    case 'completeCheckoutSession':
      return d.completeCheckoutSession(id, parseJsonBody(body), ctx);
    case 'finalizeCheckoutSession':
      return d.finalizeCheckoutSession(id, parseJsonBody(body), ctx);
    case 'getCharge':
      return d.getCharge(id);
    case 'captureCharge':
      return d.captureCharge(id, parseJsonBody(body), ctx);
    case 'cancelCharge':
      return d.cancelCharge(id, parseJsonBody(body));
    case 'getChargePermission':
      return d.getChargePermission(id);
    case 'updateChargePermission':
      return d.updateChargePermission(id, parseJsonBody(body));
    case 'closeChargePermission':
      return d.closeChargePermission(id, parseJsonBody(body));
  }
}

/**
 * One Amazon API request: count the call, apply faults, verify the signature, check the idempotency key, run the
 * operation, store the response for the key, answer (or drop the connection after committing).
 */
async function handleApi(
  c: EmulatorControl,
  req: IncomingMessage,
  res: ServerResponse,
  pathname: string,
  rawQuery: string,
  body: Buffer,
): Promise<void> {
  const started = performance.now();
  const requestId = randomUUID();
  const method = (req.method ?? 'GET').toUpperCase();
  c.scheduler.runDue();
  const match = matchRoute(method, pathname);
  const route = match.kind === 'route' ? match.route : null;
  if (route) c.noteCall(route);

  const entry: Omit<LogEntry, 'seq'> = {
    at: '',
    requestId,
    method,
    path: pathname,
    operation: route?.operation ?? null,
    checkoutSessionId: route ? sessionIdOf(route) : null,
    chargeId: route?.operation.endsWith('Charge') ? route.id : null,
    chargePermissionId: route?.operation.endsWith('ChargePermission') ? route.id : null,
    publicKeyId: null,
    idempotencyKey: null,
    status: null,
    reasonCode: null,
    replayed: false,
    fault: null,
    durationMs: 0,
  };
  const finish = (status: number | null, reasonCode: string | null = null) => {
    entry.status = status;
    entry.reasonCode = reasonCode;
    entry.at = new Date(c.now()).toISOString();
    entry.durationMs = Math.round((performance.now() - started) * 1000) / 1000;
    c.requestLog.add(entry);
  };
  const fail = (e: ApiError) => {
    sendJson(res, e.status, e.body(), requestId, e.headers);
    finish(e.status, e.reasonCode);
  };

  const decision = c.faults.decide(method, pathname);
  const delay = decision.latencyMs + c.latencyMs;
  if (delay > 0) await sleep(delay);
  const fault = decision.terminal;
  if (fault) entry.fault = `${fault.ruleId}:${fault.type}`;
  if (fault?.type === 'reset') {
    destroySocket(req);
    finish(null);
    return;
  }
  if (fault?.type === 'status') {
    const headers: Record<string, string> =
      fault.retryAfterSeconds !== undefined ? { 'retry-after': String(fault.retryAfterSeconds) } : {};
    fail(
      new ApiError(fault.status, fault.reasonCode, fault.message ?? `Injected fault ${fault.ruleId}.`, false, headers),
    );
    return;
  }

  const auth = verifyRequest({
    method,
    rawPath: pathname,
    rawQuery,
    headers: req.headers,
    body,
    keys: c.keys,
    nowMs: c.wallNow(),
    skewMs: c.clockSkewMs,
  });
  if (!auth.ok) return fail(new ApiError(auth.status, auth.reasonCode, auth.message));
  entry.publicKeyId = auth.publicKeyId;

  if (match.kind === 'notFound') return fail(new ApiError(404, 'ResourceNotFound', `No resource at ${pathname}.`));
  if (match.kind === 'methodNotAllowed') {
    return fail(new ApiError(405, 'UnsupportedOperation', `${method} is not supported on ${pathname}.`));
  }
  const r = match.route;

  const simulationCode = headerValue(req.headers, 'x-amz-pay-simulation-code') || undefined;
  if (simulationCode !== undefined && !(SIMULATION_CODES[r.operation] ?? []).includes(simulationCode)) {
    return fail(
      new ApiError(400, 'InvalidSandboxSimulationSpecified', `Simulation code ${simulationCode} is not valid here.`),
    );
  }

  // Idempotency (reference §3.1): POST only, per merchant key, first response replayed byte for byte.
  let scopeKey: string | undefined;
  let fingerprint = '';
  if (method === 'POST') {
    const key = headerValue(req.headers, 'x-amz-pay-idempotency-key');
    if (key !== undefined) {
      entry.idempotencyKey = key;
      if (!IDEMPOTENCY_KEY_RE.test(key)) {
        return fail(
          new ApiError(
            400,
            'InvalidHeaderValue',
            'x-amz-pay-idempotency-key must be 1-32 characters of [A-Za-z0-9_-].',
          ),
        );
      }
      scopeKey = `${auth.publicKeyId}\u0000${key}`;
      fingerprint = `${method} ${r.resourcePath} ${sha256Hex(body)}`;
      const stored = c.idempotency.get(scopeKey);
      if (stored) {
        if (stored.fingerprint !== fingerprint) {
          return fail(
            new ApiError(
              400,
              'DuplicateIdempotencyKey',
              'The idempotency key was already used for a different request.',
            ),
          );
        }
        entry.replayed = true;
        if (fault?.type === 'drop-after-commit') {
          destroySocket(req);
          finish(null);
          return;
        }
        sendBytes(res, stored.status, stored.body, requestId, stored.headers);
        finish(stored.status);
        return;
      }
    } else if (KEY_REQUIRED.has(r.operation)) {
      return fail(new ApiError(400, 'MissingHeader', 'Missing header: x-amz-pay-idempotency-key'));
    }
  }

  const ctx: OpContext = {
    publicKeyId: auth.publicKeyId,
    simulationCode,
    releaseEnvironment:
      r.env === 'live' || (r.env === null && auth.publicKeyId.toUpperCase().startsWith('LIVE')) ? 'Live' : 'Sandbox',
  };
  let status: number;
  let bytes: Buffer;
  let headers: Readonly<Record<string, string>> = {};
  let effect: boolean;
  let reasonCode: string | null = null;
  try {
    const out = execute(c, r, body, ctx);
    status = out.status;
    bytes = Buffer.from(JSON.stringify(out.body));
    effect = out.effect;
    if (out.checkoutSessionId) entry.checkoutSessionId = out.checkoutSessionId;
    if (out.chargeId) entry.chargeId = out.chargeId;
    if (out.chargePermissionId) entry.chargePermissionId = out.chargePermissionId;
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    status = err.status;
    bytes = Buffer.from(JSON.stringify(err.body()));
    headers = err.headers;
    effect = err.effect;
    reasonCode = err.reasonCode;
  }
  if (!entry.checkoutSessionId && entry.chargeId) {
    entry.checkoutSessionId = c.domain.charges.get(entry.chargeId)?.checkoutSessionId ?? null;
  }
  if (!entry.checkoutSessionId && entry.chargePermissionId) {
    entry.checkoutSessionId = c.domain.chargePermissions.get(entry.chargePermissionId)?.checkoutSessionId ?? null;
  }

  // Stored: successes and failures that changed state. Not stored: validation errors on an unchanged resource,
  // so a retry after the cause is fixed (e.g. the buyer has now approved) is processed anew.
  if (scopeKey !== undefined && ((status >= 200 && status < 300) || effect)) {
    c.idempotency.set(scopeKey, { fingerprint, status, body: bytes, headers });
  }
  if (fault?.type === 'drop-after-commit') {
    destroySocket(req);
    finish(null, reasonCode);
    return;
  }
  sendBytes(res, status, bytes, requestId, headers);
  finish(status, reasonCode);
}
