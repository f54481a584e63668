// AES-256-GCM payload codec (DESIGN.md "Security": buyer PII is encrypted in every Temporal payload, with key IDs
// and rotation). Each payload is serialized whole (metadata included, so the JSON encoding is hidden too) and stored
// as IV(12) || ciphertext || tag(16) under the metadata `encoding: binary/encrypted`, `encryption-key-id: <id>`.
import { createCipheriv, createDecipheriv, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { inspect } from 'node:util';
import { METADATA_ENCODING_KEY, type Payload, type PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { ConfigError } from './env';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA_KEY = 'encryption-key-id';
export const KEY_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

const ALGORITHM = 'aes-256-gcm';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEYGEN_HINT = 'generate one with `npx tsx client/codec-server/keygen.ts` (prints keyId:base64key)';

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();
const encryptedEncoding = utf8.encode(ENCRYPTED_ENCODING);

export interface CodecKeys {
  currentKeyId: string;
  /** keyId → 32-byte AES-256 key. Every key listed can decrypt; only `currentKeyId` encrypts. */
  keys: Map<string, Buffer>;
}

/** Thrown when the payload codec key configuration is invalid; `problems` lists every problem found. */
export class CodecKeysError extends ConfigError {
  override name = 'CodecKeysError';
  constructor(readonly problems: string[]) {
    super(`payload codec keys are invalid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Thrown when `NODE_ENV=production` and no payload codec keys are configured. */
export class CodecKeysRequiredError extends ConfigError {
  override name = 'CodecKeysRequiredError';
}

/** Thrown when a payload cannot be decrypted (unknown key, tampering, wrong key, malformed data). */
export class PayloadDecryptionError extends Error {
  override name = 'PayloadDecryptionError';
}

/** Shows a key ID taken from a payload only if it looks like one: metadata is untrusted input. */
function describeKeyId(id: string | undefined): string {
  if (id === undefined) return 'no key id';
  return KEY_ID_PATTERN.test(id) ? `key id "${id}"` : 'an invalid key id';
}

export class AesGcmCodec implements PayloadCodec {
  readonly #keys: Map<string, KeyObject>;
  readonly #currentKeyId: string;
  readonly #current: KeyObject;
  readonly #currentKeyIdBytes: Uint8Array;

  constructor(keys: CodecKeys) {
    const problems = validateKeySet(keys);
    if (problems.length > 0) throw new CodecKeysError(problems);
    // KeyObjects: node:crypto never prints secret key material in inspect() or errors.
    this.#keys = new Map([...keys.keys].map(([id, key]) => [id, createSecretKey(key)]));
    this.#currentKeyId = keys.currentKeyId;
    this.#current = this.#keys.get(keys.currentKeyId)!;
    this.#currentKeyIdBytes = utf8.encode(keys.currentKeyId);
  }

  get currentKeyId(): string {
    return this.#currentKeyId;
  }

  get keyIds(): string[] {
    return [...this.#keys.keys()];
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((p) => this.#encrypt(p));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((p) => this.#decrypt(p));
  }

  toString(): string {
    return `AesGcmCodec(current=${this.#currentKeyId}, keys=${this.keyIds.join(',')})`;
  }

  toJSON(): { codec: string; currentKeyId: string; keyIds: string[] } {
    return { codec: ALGORITHM, currentKeyId: this.#currentKeyId, keyIds: this.keyIds };
  }

  [inspect.custom](): string {
    return this.toString();
  }

  #encrypt(payload: Payload): Payload {
    const plaintext = temporal.api.common.v1.Payload.encode(payload).finish();
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, this.#current, iv, { authTagLength: TAG_BYTES });
    const data = Buffer.concat([iv, cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
    return {
      metadata: { [METADATA_ENCODING_KEY]: encryptedEncoding, [KEY_ID_METADATA_KEY]: this.#currentKeyIdBytes },
      data,
    };
  }

  #decrypt(payload: Payload): Payload {
    const encoding = payload.metadata?.[METADATA_ENCODING_KEY];
    // Payloads written before the codec existed (and replay fixtures) stay readable.
    if (!encoding || fromUtf8.decode(encoding) !== ENCRYPTED_ENCODING) return payload;

    const rawId = payload.metadata?.[KEY_ID_METADATA_KEY];
    const keyId = rawId ? fromUtf8.decode(rawId) : undefined;
    const key = keyId === undefined ? undefined : this.#keys.get(keyId);
    if (!key) {
      throw new PayloadDecryptionError(
        `cannot decrypt payload: it was encrypted with ${describeKeyId(keyId)}, which is not among the configured ` +
          `payload codec keys (${this.keyIds.join(', ')}); add that key to PAYLOAD_CODEC_KEYS`,
      );
    }
    const data = payload.data ?? new Uint8Array();
    if (data.length < IV_BYTES + TAG_BYTES) {
      throw new PayloadDecryptionError(
        `cannot decrypt payload (${describeKeyId(keyId)}): ${data.length} bytes is shorter than IV and tag`,
      );
    }
    const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    const decipher = createDecipheriv(ALGORITHM, key, buf.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
    decipher.setAuthTag(buf.subarray(buf.length - TAG_BYTES));
    let plaintext: Buffer;
    try {
      plaintext = Buffer.concat([decipher.update(buf.subarray(IV_BYTES, buf.length - TAG_BYTES)), decipher.final()]);
    } catch {
      throw new PayloadDecryptionError(
        `cannot decrypt payload (${describeKeyId(keyId)}): authentication failed; the IV, ciphertext or tag was ` +
          'altered, or the key configured under this id is not the one it was encrypted with',
      );
    }
    let inner: temporal.api.common.v1.Payload;
    try {
      inner = temporal.api.common.v1.Payload.decode(plaintext);
    } catch {
      throw new PayloadDecryptionError(`decrypted payload (${describeKeyId(keyId)}) is not a serialized Payload`);
    }
    return {
      metadata: inner.metadata,
      data: inner.data,
      ...(inner.externalPayloads.length > 0 ? { externalPayloads: inner.externalPayloads } : {}),
    };
  }
}

function validateKeySet(keys: CodecKeys): string[] {
  const problems: string[] = [];
  if (keys.keys.size === 0) problems.push('no keys are configured');
  for (const [id, key] of keys.keys) {
    if (!KEY_ID_PATTERN.test(id)) problems.push(`a key id is invalid (must match ${KEY_ID_PATTERN.source})`);
    else if (key.length !== KEY_BYTES)
      problems.push(`key "${id}" is ${key.length} bytes; AES-256 needs exactly ${KEY_BYTES}`);
  }
  if (!keys.keys.has(keys.currentKeyId)) {
    problems.push(
      KEY_ID_PATTERN.test(keys.currentKeyId)
        ? `current key id "${keys.currentKeyId}" is not among the configured keys (${[...keys.keys.keys()].join(', ')})`
        : 'current key id is not a valid key id',
    );
  }
  return problems;
}

/** Key material stays out of JSON.stringify, console.log and string conversion of the returned object. */
function codecKeys(currentKeyId: string, keys: Map<string, Buffer>): CodecKeys {
  const summary = (): { currentKeyId: string; keyIds: string[] } => ({ currentKeyId, keyIds: [...keys.keys()] });
  const o = { currentKeyId } as CodecKeys;
  Object.defineProperties(o, {
    keys: { value: keys, enumerable: false },
    toJSON: { value: summary, enumerable: false },
    toString: {
      value: () => `CodecKeys(current=${currentKeyId}, keys=${[...keys.keys()].join(',')})`,
      enumerable: false,
    },
    [inspect.custom]: { value: summary, enumerable: false },
  });
  return Object.freeze(o);
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$|^[A-Za-z0-9_-]+$/;

/**
 * Parses `keyId:base64key` entries separated by commas or newlines; `#` starts a comment. Problems name the entry's
 * position and, once it is known to be valid, its key id; never the key or an unparsable entry (it may hold one).
 */
function parseKeyList(text: string, source: string, problems: string[]): Map<string, Buffer> {
  const keys = new Map<string, Buffer>();
  const entries = text
    .split('\n')
    .map((line) => line.replace(/#.*$/, ''))
    .flatMap((line) => line.split(','))
    .map((e) => e.trim())
    .filter((e) => e.length > 0);
  if (entries.length === 0) problems.push(`${source} lists no keys`);
  entries.forEach((entry, i) => {
    const where = `${source} entry ${i + 1}`;
    const colon = entry.indexOf(':');
    if (colon < 0) {
      problems.push(`${where} is not keyId:base64key`);
      return;
    }
    const id = entry.slice(0, colon).trim();
    const b64 = entry.slice(colon + 1).trim();
    if (!KEY_ID_PATTERN.test(id)) {
      problems.push(`${where}: the key id is invalid (must match ${KEY_ID_PATTERN.source})`);
      return;
    }
    if (keys.has(id)) problems.push(`${where}: key id "${id}" is listed more than once`);
    if (b64.length % 4 === 1 || !BASE64.test(b64)) {
      problems.push(`${where}: key "${id}" is not valid base64`);
      return;
    }
    const key = Buffer.from(b64, 'base64');
    if (key.length !== KEY_BYTES) {
      problems.push(
        `${where}: key "${id}" decodes to ${key.length} bytes; AES-256 needs exactly ${KEY_BYTES} (${KEYGEN_HINT})`,
      );
      return;
    }
    if (!keys.has(id)) keys.set(id, key);
  });
  return keys;
}

/**
 * Reads the payload codec keys from `PAYLOAD_CODEC_KEYS` (`keyId:base64key[,keyId:base64key…]`) or
 * `PAYLOAD_CODEC_KEYS_FILE` (same format, one per line allowed, `#` comments) and `PAYLOAD_CODEC_CURRENT_KEY_ID`
 * (default: the last key listed). Returns undefined when no keys are configured; throws {@link CodecKeysError}
 * listing every problem otherwise.
 */
export function loadCodecKeys(env: NodeJS.ProcessEnv = process.env): CodecKeys | undefined {
  const inline = env.PAYLOAD_CODEC_KEYS?.trim() || undefined;
  const file = env.PAYLOAD_CODEC_KEYS_FILE?.trim() || undefined;
  const current = env.PAYLOAD_CODEC_CURRENT_KEY_ID?.trim() || undefined;
  if (!inline && !file) {
    if (current)
      throw new CodecKeysError([
        'PAYLOAD_CODEC_CURRENT_KEY_ID is set but neither PAYLOAD_CODEC_KEYS nor PAYLOAD_CODEC_KEYS_FILE is',
      ]);
    return undefined;
  }
  const problems: string[] = [];
  if (inline && file) problems.push('set PAYLOAD_CODEC_KEYS or PAYLOAD_CODEC_KEYS_FILE, not both');

  let text: string | undefined = inline;
  let source = 'PAYLOAD_CODEC_KEYS';
  if (!inline && file) {
    source = 'PAYLOAD_CODEC_KEYS_FILE';
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      problems.push(
        `PAYLOAD_CODEC_KEYS_FILE ${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
      );
    }
  }
  const keys = text === undefined ? new Map<string, Buffer>() : parseKeyList(text, source, problems);
  const ids = [...keys.keys()];
  const currentKeyId = current ?? ids[ids.length - 1];
  if (current !== undefined && !KEY_ID_PATTERN.test(current)) {
    problems.push(`PAYLOAD_CODEC_CURRENT_KEY_ID is not a valid key id (must match ${KEY_ID_PATTERN.source})`);
  } else if (current !== undefined && text !== undefined && !keys.has(current)) {
    problems.push(
      `PAYLOAD_CODEC_CURRENT_KEY_ID "${current}" is not among the configured keys (${ids.join(', ') || 'none valid'})`,
    );
  }
  if (problems.length > 0 || currentKeyId === undefined) throw new CodecKeysError(problems);
  return codecKeys(currentKeyId, keys);
}

/** Base64 of 32 random bytes: one AES-256 key for PAYLOAD_CODEC_KEYS. */
export function generateCodecKey(): string {
  return randomBytes(KEY_BYTES).toString('base64');
}

/**
 * Loads the codec keys and, when `NODE_ENV=production`, refuses to go on without them: buyer PII would otherwise
 * reach Temporal history in plaintext.
 */
export function requireCodecKeysInProduction(
  env: NodeJS.ProcessEnv = process.env,
  processName = 'worker',
): CodecKeys | undefined {
  const keys = loadCodecKeys(env);
  if (!keys && env.NODE_ENV === 'production') {
    throw new CodecKeysRequiredError(
      `NODE_ENV=production: the ${processName} refuses to start without PAYLOAD_CODEC_KEYS (or PAYLOAD_CODEC_KEYS_FILE), ` +
        'because buyer PII would be written to Temporal history unencrypted. Set PAYLOAD_CODEC_KEYS=keyId:base64key; ' +
        `${KEYGEN_HINT}, or: node -e "console.log('k'+new Date().toISOString().slice(0,10)+':'+require('crypto').randomBytes(32).toString('base64'))"`,
    );
  }
  return keys;
}
