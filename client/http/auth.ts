// Merchant API bearer token, compared in constant time (hashes first, so lengths never leak through timing).
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { HttpError } from './errors';

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

export function bearerGuard(token: string): (req: FastifyRequest) => Promise<void> {
  const want = digest(token);
  return async (req) => {
    const h = req.headers.authorization;
    const m = typeof h === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(h) : null;
    const ok = m ? timingSafeEqual(digest(m[1]!), want) : false;
    if (!ok) throw new HttpError(401, 'unauthorized', 'a valid bearer token is required');
  };
}
