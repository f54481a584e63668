// Structured JSON logs (pino) with buyer PII and secrets redacted wherever they might appear.
import pino from 'pino';
import { traceLogFields } from './tracing';

export const REDACT_PATHS = [
  '*.buyer',
  '*.email',
  '*.name',
  '*.phoneNumber',
  '*.billingAddress',
  '*.shippingAddress',
  '*.privateKey',
  '*.AMAZON_PAY_PRIVATE_KEY',
  '*.authorization',
  '*.token',
  '*.apiKey',
  '*.secrets',
  '*.MERCHANT_WEBHOOK_SECRET',
  '*.MERCHANT_WEBHOOK_SECRET_PREVIOUS',
  'buyer',
  'email',
  'phoneNumber',
  'billingAddress',
  'shippingAddress',
  'privateKey',
  'authorization',
  'token',
  'apiKey',
  'secrets',
  'req.headers.authorization',
];

/** Lines written inside a traced span carry its `trace_id` and `span_id` (none when tracing is off). */
export function createLogger(level: string, name: string, destination?: pino.DestinationStream) {
  return pino({ name, level, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, mixin: traceLogFields }, destination);
}
