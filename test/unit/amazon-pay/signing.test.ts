import { describe, expect, it } from '@jest/globals';
import { constants, createHash, generateKeyPairSync, sign as rsaSign } from 'node:crypto';
import {
  canonicalRequest,
  formatAmzDate,
  sha256Hex,
  sign,
  signRequest,
  stringToSign,
  verify,
  type SigningAlgorithm,
} from '../../../activities/amazon-pay/signing';

const { privateKey, publicKey } = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
});

// Reference §2.5: POST complete, env-prefixed key, PHP header set.
const VECTOR_BODY = '{"chargeAmount":{"amount":"14.00","currencyCode":"USD"}}';
const VECTOR_CANONICAL =
  'POST\n/v2/checkoutSessions/bd504926-f659-4ad7-a1a9-9a747aaf5275/complete\n\naccept:application/json\ncontent-type:application/json\nx-amz-pay-date:20240102T030405Z\nx-amz-pay-host:pay-api.amazon.com\nx-amz-pay-idempotency-key:0b8fb2712ae249a5b35d4aaaaaaaaaaa\nx-amz-pay-region:na\n\naccept;content-type;x-amz-pay-date;x-amz-pay-host;x-amz-pay-idempotency-key;x-amz-pay-region\na2e6abc3905a847894c5d5120b29dfa8f1c9055024fdece6edaddb177d960fbf';
const VECTOR_HASH = 'a61af8ecbbd1de0c1d11cd158a106f18c456e8faab0a4fc88d0a62a7904cb7a6';
const VECTOR_HEADERS = {
  accept: 'application/json',
  'content-type': 'application/json',
  'x-amz-pay-date': '20240102T030405Z',
  'x-amz-pay-host': 'pay-api.amazon.com',
  'x-amz-pay-idempotency-key': '0b8fb2712ae249a5b35d4aaaaaaaaaaa',
  'x-amz-pay-region': 'na',
};
const VECTOR_SIGNED = Object.keys(VECTOR_HEADERS).sort();
const VECTOR_PATH = '/v2/checkoutSessions/bd504926-f659-4ad7-a1a9-9a747aaf5275/complete';

/** Parses `<ALG> PublicKeyId=<id>, SignedHeaders=<a;b>, Signature=<b64>`. */
function parseAuthorization(value: string) {
  const m = /^(\S+) PublicKeyId=([^,]+), SignedHeaders=([^,]+), Signature=(\S+)$/.exec(value);
  if (!m) throw new Error('authorization header does not match the documented form');
  return { algorithm: m[1] as SigningAlgorithm, publicKeyId: m[2], signedHeaders: m[3]!.split(';'), signature: m[4]! };
}

describe('canonical request (reference §2.5 vectors)', () => {
  it('reproduces the complete-checkout-session canonical request byte for byte', () => {
    const canonical = canonicalRequest({
      method: 'POST',
      path: VECTOR_PATH,
      headers: VECTOR_HEADERS,
      signedHeaders: VECTOR_SIGNED,
      body: VECTOR_BODY,
    });
    expect(canonical).toBe(VECTOR_CANONICAL);
    expect(createHash('sha256').update(canonical).digest('hex')).toBe(VECTOR_HASH);
    expect(stringToSign('AMZN-PAY-RSASSA-PSS-V2', canonical)).toBe(`AMZN-PAY-RSASSA-PSS-V2\n${VECTOR_HASH}`);
  });

  it('hashes a Buffer body like the same string, lower-cases names and trims values', () => {
    const mixedCase = Object.fromEntries(Object.entries(VECTOR_HEADERS).map(([k, v]) => [k.toUpperCase(), ` ${v} `]));
    const canonical = canonicalRequest({
      method: 'post',
      path: VECTOR_PATH,
      headers: mixedCase,
      signedHeaders: VECTOR_SIGNED.map((n) => n.toUpperCase()),
      body: Buffer.from(VECTOR_BODY),
    });
    expect(canonical).toBe(VECTOR_CANONICAL);
  });

  it('reproduces the .NET body hash vector', () => {
    const body =
      '{"storeId":"amzn1.application-oa2-client.xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx","webCheckoutDetails":{"checkoutReviewReturnUrl":"https://localhost/test/CheckoutReview.php","checkoutResultReturnUrl":"https://localhost/test/CheckoutResult.php"}}';
    expect(sha256Hex(body)).toBe('8dec52d799607be40f82d5c8e7ecb6c171e6591c41b1111a576b16076c89381c');
  });

  it('hashes an empty body to the SHA-256 of nothing', () => {
    const canonical = canonicalRequest({
      method: 'GET',
      path: '/v2/charges/S01-1234567-1234567-C123456',
      headers: VECTOR_HEADERS,
      signedHeaders: ['accept'],
      body: '',
    });
    expect(canonical.endsWith('\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855')).toBe(true);
  });

  it('refuses to sign a header that is not in the request', () => {
    expect(() =>
      canonicalRequest({ method: 'GET', path: '/v2/x', headers: {}, signedHeaders: ['accept'], body: '' }),
    ).toThrow(/accept/);
  });
});

describe('RSASSA-PSS signatures', () => {
  const toSign = `AMZN-PAY-RSASSA-PSS-V2\n${VECTOR_HASH}`;

  it.each<SigningAlgorithm>(['AMZN-PAY-RSASSA-PSS', 'AMZN-PAY-RSASSA-PSS-V2'])('%s signs and verifies', (alg) => {
    const signature = sign(privateKey, alg, toSign);
    expect(signature).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);
    expect(Buffer.from(signature, 'base64')).toHaveLength(256);
    expect(verify(publicKey, alg, toSign, signature)).toBe(true);
    expect(verify(publicKey, alg, `${toSign}0`, signature)).toBe(false);
  });

  it('rejects a V2 (salt 32) signature checked with salt 20, and the reverse', () => {
    const v2 = sign(privateKey, 'AMZN-PAY-RSASSA-PSS-V2', toSign);
    expect(verify(publicKey, 'AMZN-PAY-RSASSA-PSS', toSign, v2)).toBe(false);
    const v1 = sign(privateKey, 'AMZN-PAY-RSASSA-PSS', toSign);
    expect(verify(publicKey, 'AMZN-PAY-RSASSA-PSS-V2', toSign, v1)).toBe(false);
  });

  it("verifies a signature built like the Node SDK's (RSA-SHA256, PSS padding, salt 32) as V2", () => {
    const direct = rsaSign('sha256', Buffer.from(toSign), {
      key: privateKey,
      padding: constants.RSA_PKCS1_PSS_PADDING,
      saltLength: 32,
    }).toString('base64');
    expect(verify(publicKey, 'AMZN-PAY-RSASSA-PSS-V2', toSign, direct)).toBe(true);
  });
});

describe('signRequest', () => {
  const base = {
    method: 'POST',
    path: VECTOR_PATH,
    body: VECTOR_BODY,
    privateKey,
    publicKeyId: 'SANDBOX-AFVX7ULWSGBZ5535PCUQOY7B',
  };

  it('builds the documented authorization header over the PHP header set', () => {
    const headers = signRequest({
      ...base,
      algorithm: 'AMZN-PAY-RSASSA-PSS-V2',
      headers: {
        'X-Amz-Pay-Date': '20240102T030405Z',
        'x-amz-pay-host': 'pay-api.amazon.com',
        'x-amz-pay-region': 'na',
        'x-amz-pay-idempotency-key': '0b8fb2712ae249a5b35d4aaaaaaaaaaa',
        'user-agent': 'test',
      },
    });
    const auth = parseAuthorization(headers['authorization']!);
    expect(auth.algorithm).toBe('AMZN-PAY-RSASSA-PSS-V2');
    expect(auth.publicKeyId).toBe('SANDBOX-AFVX7ULWSGBZ5535PCUQOY7B');
    expect(auth.signedHeaders).toEqual(VECTOR_SIGNED);
    expect(headers['accept']).toBe('application/json');
    expect(headers['x-amz-pay-date']).toBe('20240102T030405Z');
    expect(headers['user-agent']).toBe('test');
    expect(verify(publicKey, 'AMZN-PAY-RSASSA-PSS-V2', `AMZN-PAY-RSASSA-PSS-V2\n${VECTOR_HASH}`, auth.signature)).toBe(
      true,
    );
  });

  it('signs extra x-amz-pay-* headers and leaves the idempotency key out when absent', () => {
    const headers = signRequest({
      ...base,
      algorithm: 'AMZN-PAY-RSASSA-PSS',
      headers: {
        'x-amz-pay-date': '20240102T030405Z',
        'x-amz-pay-host': '127.0.0.1:4010',
        'x-amz-pay-region': 'eu',
        'x-amz-pay-integrator-id': 'abc',
        authorization: 'stale',
      },
    });
    const auth = parseAuthorization(headers['authorization']!);
    expect(auth.signedHeaders).toEqual([
      'accept',
      'content-type',
      'x-amz-pay-date',
      'x-amz-pay-host',
      'x-amz-pay-integrator-id',
      'x-amz-pay-region',
    ]);
    const canonical = canonicalRequest({ ...base, headers, signedHeaders: auth.signedHeaders });
    expect(
      verify(publicKey, 'AMZN-PAY-RSASSA-PSS', stringToSign('AMZN-PAY-RSASSA-PSS', canonical), auth.signature),
    ).toBe(true);
  });

  it('requires date, host and region', () => {
    expect(() => signRequest({ ...base, algorithm: 'AMZN-PAY-RSASSA-PSS-V2', headers: {} })).toThrow(
      /x-amz-pay-date, x-amz-pay-host, x-amz-pay-region/,
    );
  });
});

describe('formatAmzDate', () => {
  it('formats compact UTC without milliseconds', () => {
    expect(formatAmzDate(new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 678)))).toBe('20240102T030405Z');
  });

  it('rejects an invalid date', () => {
    expect(() => formatAmzDate(new Date('nope'))).toThrow(RangeError);
  });
});
