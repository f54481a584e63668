// Arguments the commands check before any connection is made: a typo answers at once, with exit 2.
import { readFileSync } from 'node:fs';
import { InvalidCheckoutInputError, parseCheckoutInput } from '../temporal/checkout';
import { CheckoutSessionId, CheckoutState } from '../../workflows/checkout-session';
import { CliError, EXIT } from './errors';

export function readStartInput(v: Record<string, string | boolean | undefined>): unknown {
  const file = typeof v.file === 'string' ? v.file : undefined;
  const json = typeof v.json === 'string' ? v.json : undefined;
  if ((file === undefined) === (json === undefined)) throw new CliError('start needs exactly one of --file <input.json> or --json <json>', EXIT.usage);
  let text: string;
  try {
    text = file !== undefined ? readFileSync(file, 'utf8') : json!;
  } catch (err) {
    throw new CliError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, EXIT.usage);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new CliError(`${file ?? '--json'} is not valid JSON: ${(err as Error).message}`, EXIT.usage);
  }
  try {
    parseCheckoutInput(raw);
  } catch (err) {
    if (err instanceof InvalidCheckoutInputError) throw new CliError(`invalid checkout input:\n${err.message}`, EXIT.usage);
    throw err;
  }
  return raw;
}

export function sessionIdArg(p: string[]): string {
  const r = CheckoutSessionId.safeParse(p[0]);
  if (!r.success) throw new CliError(`invalid checkoutSessionId ${JSON.stringify(p[0] ?? '')}: ${r.error.issues[0]?.message ?? 'invalid'}`, EXIT.usage);
  return r.data;
}

export function listArgs(v: Record<string, string | boolean | undefined>): { state?: CheckoutState; limit: number } {
  const problems: string[] = [];
  let state: CheckoutState | undefined;
  if (v.state !== undefined) {
    const r = CheckoutState.safeParse(v.state);
    if (r.success) state = r.data;
    else problems.push(`--state ${JSON.stringify(v.state)} is not a CheckoutState; one of: ${CheckoutState.options.join(', ')}`);
  }
  const limit = v.limit === undefined ? 20 : Number(v.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) problems.push(`--limit ${JSON.stringify(v.limit)} must be an integer from 1 to 1000`);
  if (problems.length > 0) throw new CliError(problems.join('\n'), EXIT.usage);
  return { ...(state ? { state } : {}), limit };
}

