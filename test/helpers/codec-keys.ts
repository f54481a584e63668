// Fixed payload codec keys for tests and replay fixtures. Test-only material derived from fixed labels: never use
// these anywhere real. Key A is the "old" key, key B the current one (rotation tests write under A, read with A+B).
import { createHash } from 'node:crypto';
import { loadCodecKeys, type CodecKeys } from '../../client/temporal/codec';

export const TEST_KEY_A_ID = 'test-a';
export const TEST_KEY_B_ID = 'test-b';
const material = (label: string): string =>
  createHash('sha256').update(`checkout-orchestrator test codec key ${label}`).digest('base64');
export const TEST_KEY_A = material('A');
export const TEST_KEY_B = material('B');

const ALL: Record<string, string> = { [TEST_KEY_A_ID]: TEST_KEY_A, [TEST_KEY_B_ID]: TEST_KEY_B };

/** The environment a spawned process (worker/main.ts, codec server) needs for the given test keys. */
export function testCodecEnv(
  ids: string[] = [TEST_KEY_A_ID, TEST_KEY_B_ID],
  current = ids[ids.length - 1]!,
): NodeJS.ProcessEnv {
  return { PAYLOAD_CODEC_KEYS: ids.map((id) => `${id}:${ALL[id]}`).join(','), PAYLOAD_CODEC_CURRENT_KEY_ID: current };
}

/** Keys A and B, current B by default: what the harness, replay and the integration tests use. */
export function testCodecKeys(
  ids: string[] = [TEST_KEY_A_ID, TEST_KEY_B_ID],
  current = ids[ids.length - 1]!,
): CodecKeys {
  return loadCodecKeys(testCodecEnv(ids, current))!;
}

/** Every test key in the encodings it could leak in: base64 (as configured), base64url and hex. */
export function testKeyLeakForms(): string[] {
  return [TEST_KEY_A, TEST_KEY_B].flatMap((k) => {
    const b = Buffer.from(k, 'base64');
    return [k, b.toString('base64url'), b.toString('hex')];
  });
}
