// Prints one payload codec key entry, `k<YYYY-MM-DD>:<base64 of 32 random bytes>`, for PAYLOAD_CODEC_KEYS.
// Usage: npx tsx client/codec-server/keygen.ts [keyId]
import { generateCodecKey, KEY_ID_PATTERN } from '../temporal/codec';

const id = process.argv[2] ?? `k${new Date().toISOString().slice(0, 10)}`;
if (!KEY_ID_PATTERN.test(id)) {
  process.stderr.write(`key id must match ${KEY_ID_PATTERN.source}\n`);
  process.exit(2);
}
process.stdout.write(`${id}:${generateCodecKey()}\n`);
