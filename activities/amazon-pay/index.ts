export * from './client';
export * from './errors';
export * from './idempotency';
export * from '../../domain/money';
export * from './schemas';
export * from './signing';
