// The AES-256-GCM payload codec and its key loading (DESIGN.md "Security").
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import {
  AesGcmCodec,
  CodecKeysError,
  CodecKeysRequiredError,
  ENCRYPTED_ENCODING,
  KEY_ID_METADATA_KEY,
  loadCodecKeys,
  PayloadDecryptionError,
  requireCodecKeysInProduction,
} from '../../../client/temporal/codec';
import { TEST_KEY_A, TEST_KEY_B, testCodecKeys, testKeyLeakForms } from '../../helpers/codec-keys';

const text = (b: Uint8Array | null | undefined) => Buffer.from(b ?? new Uint8Array()).toString('utf8');
const address = {
  name: 'Susie Smith',
  addressLine1: '10 Ditka Ave',
  phoneNumber: '800-000-0000',
  email: 'susie@example.com',
};
const plain = (): Payload => defaultPayloadConverter.toPayload(address);

async function encodeOne(codec: AesGcmCodec, p: Payload = plain()): Promise<Payload> {
  const [e] = await codec.encode([p]);
  return e!;
}

describe('AesGcmCodec', () => {
  const codec = new AesGcmCodec(testCodecKeys());

  it('round-trips a payload, metadata included', async () => {
    const p = plain();
    const e = await encodeOne(codec, p);
    const [d] = await codec.decode([e]);
    expect(d).toEqual({ metadata: p.metadata, data: p.data });
    expect(defaultPayloadConverter.fromPayload(d!)).toEqual(address);
  });

  it('writes the encoding and the current key id into the metadata and hides the plaintext and its encoding', async () => {
    const e = await encodeOne(codec);
    expect(Object.keys(e.metadata!).sort()).toEqual(['encoding', KEY_ID_METADATA_KEY].sort());
    expect(text(e.metadata!.encoding)).toBe(ENCRYPTED_ENCODING);
    expect(text(e.metadata![KEY_ID_METADATA_KEY])).toBe('test-b');
    const raw = Buffer.from(e.data!).toString('latin1');
    for (const s of [...Object.values(address), 'json/plain']) expect(raw).not.toContain(s);
  });

  it('uses a fresh IV per payload', async () => {
    const [a, b] = await codec.encode([plain(), plain()]);
    expect(Buffer.from(a!.data!).subarray(0, 12).equals(Buffer.from(b!.data!).subarray(0, 12))).toBe(false);
  });

  it('decrypts with an old key after rotation, encrypts with the new one', async () => {
    const old = new AesGcmCodec(testCodecKeys(['test-a']));
    const written = await encodeOne(old);
    const rotated = new AesGcmCodec(testCodecKeys(['test-a', 'test-b'], 'test-b'));
    expect(defaultPayloadConverter.fromPayload((await rotated.decode([written]))[0]!)).toEqual(address);
    expect(text((await encodeOne(rotated)).metadata![KEY_ID_METADATA_KEY])).toBe('test-b');
  });

  it.each([
    ['IV', (d: Buffer) => (d[0]! ^= 1)],
    ['ciphertext', (d: Buffer) => (d[20]! ^= 1)],
    ['tag', (d: Buffer) => (d[d.length - 1]! ^= 1)],
  ])('rejects a payload whose %s was altered', async (_part, alter) => {
    const e = await encodeOne(codec);
    const data = Buffer.from(e.data!);
    alter(data);
    await expect(codec.decode([{ ...e, data }])).rejects.toThrow(PayloadDecryptionError);
    await expect(codec.decode([{ ...e, data }])).rejects.toThrow(/authentication failed/);
  });

  it('rejects a truncated payload and a key id swapped for another configured key', async () => {
    const e = await encodeOne(codec);
    await expect(codec.decode([{ ...e, data: Buffer.from(e.data!).subarray(0, 20) }])).rejects.toThrow(
      /shorter than IV and tag/,
    );
    const swapped = { ...e, metadata: { ...e.metadata, [KEY_ID_METADATA_KEY]: Buffer.from('test-a') } };
    await expect(codec.decode([swapped])).rejects.toThrow(/authentication failed/);
  });

  it('rejects an unknown key id with a message naming it and the configured ones', async () => {
    const other = new AesGcmCodec({ currentKeyId: 'k-retired', keys: new Map([['k-retired', randomBytes(32)]]) });
    const e = await encodeOne(other);
    await expect(codec.decode([e])).rejects.toThrow(/key id "k-retired".*not among.*test-a, test-b/);
  });

  it('passes plaintext payloads (written before the codec) through unchanged', async () => {
    const p = plain();
    const [d] = await codec.decode([p]);
    expect(d).toBe(p);
    const noMeta: Payload = { data: Buffer.from('x') };
    expect((await codec.decode([noMeta]))[0]).toBe(noMeta);
  });

  it('never prints key material through inspect, JSON or string conversion', () => {
    const keys = testCodecKeys();
    const leaks = testKeyLeakForms();
    for (const out of [
      inspect(codec, { depth: 5, showHidden: true }),
      JSON.stringify(codec),
      String(codec),
      inspect(keys, { depth: 5 }),
      JSON.stringify(keys),
      String(keys),
    ]) {
      for (const k of leaks) expect(out).not.toContain(k);
      expect(out).toContain('test-b');
    }
  });
});

describe('loadCodecKeys', () => {
  const k32 = TEST_KEY_A;

  it('reads comma-separated keys; the last one is current unless PAYLOAD_CODEC_CURRENT_KEY_ID says otherwise', () => {
    expect(loadCodecKeys({ PAYLOAD_CODEC_KEYS: `a:${k32}, b:${TEST_KEY_B}` })?.currentKeyId).toBe('b');
    expect(
      loadCodecKeys({ PAYLOAD_CODEC_KEYS: `a:${k32},b:${TEST_KEY_B}`, PAYLOAD_CODEC_CURRENT_KEY_ID: 'a' })
        ?.currentKeyId,
    ).toBe('a');
  });

  it('reads a key file with one key per line and comments', () => {
    const dir = mkdtempSync(join(tmpdir(), 'codec-keys-'));
    const file = join(dir, 'keys');
    writeFileSync(file, `# rotated 2026-01\nold:${k32}\nnew:${TEST_KEY_B} # current\n`);
    const keys = loadCodecKeys({ PAYLOAD_CODEC_KEYS_FILE: file })!;
    expect(keys.currentKeyId).toBe('new');
    expect([...keys.keys.keys()]).toEqual(['old', 'new']);
  });

  it('returns undefined without keys, and production refuses that with a clear error', () => {
    expect(loadCodecKeys({})).toBeUndefined();
    expect(requireCodecKeysInProduction({ NODE_ENV: 'development' })).toBeUndefined();
    expect(() => requireCodecKeysInProduction({ NODE_ENV: 'production' }, 'worker')).toThrow(CodecKeysRequiredError);
    expect(() => requireCodecKeysInProduction({ NODE_ENV: 'production' }, 'worker')).toThrow(
      /NODE_ENV=production: the worker refuses to start without PAYLOAD_CODEC_KEYS/,
    );
  });

  it('lists every problem at once and never includes key material', () => {
    const short = Buffer.from('0123456789abcdef').toString('base64'); // 16 bytes: AES-128 size
    const secretish = 'c2VjcmV0LXNlY3JldC1zZWNyZXQ='; // would be echoed by a careless parser
    let err: unknown;
    try {
      loadCodecKeys({
        PAYLOAD_CODEC_KEYS: `good:${k32},bad id:${k32},short:${short},nocolon${secretish},dup:${k32},dup:${k32},notb64:***`,
        PAYLOAD_CODEC_CURRENT_KEY_ID: 'missing',
      });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CodecKeysError);
    const e = err as CodecKeysError;
    expect(e.problems).toEqual([
      expect.stringMatching(/entry 2: the key id is invalid/),
      expect.stringMatching(/entry 3: key "short" decodes to 16 bytes; AES-256 needs exactly 32/),
      expect.stringMatching(/entry 4 is not keyId:base64key/),
      expect.stringMatching(/entry 6: key id "dup" is listed more than once/),
      expect.stringMatching(/entry 7: key "notb64" is not valid base64/),
      expect.stringMatching(/PAYLOAD_CODEC_CURRENT_KEY_ID "missing" is not among the configured keys/),
    ]);
    for (const leak of [k32, short, secretish, ...testKeyLeakForms()]) {
      expect(e.message).not.toContain(leak);
      expect(inspect(e)).not.toContain(leak);
    }
  });

  it('reports an unreadable key file and both sources set', () => {
    expect(() =>
      loadCodecKeys({ PAYLOAD_CODEC_KEYS: `a:${k32}`, PAYLOAD_CODEC_KEYS_FILE: '/nonexistent/keys' }),
    ).toThrow(/not both/);
    expect(() => loadCodecKeys({ PAYLOAD_CODEC_KEYS_FILE: '/nonexistent/keys' })).toThrow(/cannot be read \(ENOENT\)/);
    expect(() => loadCodecKeys({ PAYLOAD_CODEC_CURRENT_KEY_ID: 'a' })).toThrow(/neither PAYLOAD_CODEC_KEYS/);
  });

  it('the codec refuses a key set without its current key', () => {
    expect(() => new AesGcmCodec({ currentKeyId: 'x', keys: new Map([['y', randomBytes(32)]]) })).toThrow(
      /current key id "x"/,
    );
  });
});
