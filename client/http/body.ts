// Request bodies: JSON (and text/plain JSON, as SNS posts IPNs), bounded in size; keys starting with `$` or naming
// a prototype are refused anywhere, so no body can become a MongoDB operator or pollute an object (DESIGN.md).
import type { FastifyInstance } from 'fastify';
import { HttpError } from './errors';

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

function assertSafeKeys(v: unknown, depth = 0): void {
  if (depth > 64) throw new HttpError(400, 'invalid_json', 'JSON nested too deeply');
  if (Array.isArray(v)) {
    for (const x of v) assertSafeKeys(x, depth + 1);
  } else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      if (k.startsWith('$') || FORBIDDEN_KEYS.has(k)) throw new HttpError(400, 'forbidden_key', `key "${k.slice(0, 40)}" is not allowed`);
      assertSafeKeys(x, depth + 1);
    }
  }
}

export function parseSafeJson(text: string): unknown {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new HttpError(400, 'invalid_json', 'body is not valid JSON');
  }
  assertSafeKeys(v);
  return v;
}

export function installBodyParsers(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  const parse = (_req: unknown, body: string, done: (err: Error | null, v?: unknown) => void) => {
    try {
      done(null, body.length === 0 ? undefined : parseSafeJson(body));
    } catch (err) {
      done(err as Error);
    }
  };
  app.addContentTypeParser(['application/json', 'text/plain'], { parseAs: 'string' }, parse);
}
