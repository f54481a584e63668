// The SNS verifier without a network: a self-signed certificate stands in for Amazon's, served by an injected fetcher.
import { sign } from 'node:crypto';
import { generate } from 'selfsigned';
import { SnsVerificationError, SnsVerifier, hostPattern, stringToSign, type SnsEnvelope } from '../../../client/http/sns';

jest.setTimeout(30_000);

const CERT_URL = 'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc123.pem';
let key: string;
let certPem: string;

beforeAll(async () => {
  const pems = await generate([{ name: 'commonName', value: 'sns.amazonaws.com' }], { keySize: 2048, algorithm: 'sha256' });
  key = pems.private;
  certPem = pems.cert;
});

function signed(e: Omit<SnsEnvelope, 'Signature' | 'SignatureVersion'>, version: '1' | '2' = '2'): SnsEnvelope {
  const unsigned = { ...e, SignatureVersion: version } as SnsEnvelope;
  const signature = sign(version === '1' ? 'sha1' : 'sha256', Buffer.from(stringToSign(unsigned)), key).toString('base64');
  return { ...unsigned, Signature: signature };
}

const notification = (over: Partial<SnsEnvelope> = {}) =>
  signed({
    Type: 'Notification',
    MessageId: 'm-1',
    TopicArn: 'arn:aws:sns:us-east-1:291180941288:A01',
    Message: JSON.stringify({ ObjectType: 'CHARGE', ObjectId: 'S01-1-1-C1', NotificationType: 'STATE_CHANGE' }),
    Timestamp: '2026-01-01T00:00:00.000Z',
    SigningCertURL: CERT_URL,
    UnsubscribeURL: 'https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe',
    ...over,
  });

function verifier(fetchCert: jest.Mock<Promise<string>, [string]> = jest.fn(async (_url: string) => certPem), trustedCertUrlPrefix?: string) {
  return {
    fetchCert,
    v: new SnsVerifier({ allowedCertHosts: ['sns.*.amazonaws.com', 'sns.*.amazonaws.com.cn'], fetchCert, ...(trustedCertUrlPrefix ? { trustedCertUrlPrefix } : {}) }),
  };
}

async function rejection(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (err instanceof SnsVerificationError) return err.reason;
    throw err;
  }
  throw new Error('expected a rejection');
}

describe('SNS verifier', () => {
  it('accepts a SignatureVersion 2 (SHA256withRSA) notification and caches the certificate per URL', async () => {
    const { v, fetchCert } = verifier();
    await expect(v.verify(notification())).resolves.toMatchObject({ Type: 'Notification', MessageId: 'm-1' });
    await v.verify(notification({ MessageId: 'm-2' }));
    expect(fetchCert).toHaveBeenCalledTimes(1);
  });

  it('accepts SignatureVersion 1 (SHA1withRSA)', async () => {
    const { v } = verifier();
    const e = signed({ ...notification(), Subject: 'hello' } as SnsEnvelope, '1');
    await expect(v.verify(e)).resolves.toMatchObject({ SignatureVersion: '1', Subject: 'hello' });
  });

  it('signs SubscriptionConfirmation over SubscribeURL and Token', async () => {
    const { v } = verifier();
    const e = signed({
      Type: 'SubscriptionConfirmation',
      MessageId: 'm-3',
      TopicArn: 'arn:aws:sns:us-east-1:1:A01',
      Message: 'You have chosen to subscribe',
      Timestamp: '2026-01-01T00:00:00.000Z',
      SigningCertURL: CERT_URL,
      SubscribeURL: 'https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&Token=t',
      Token: 'tok',
    });
    expect(stringToSign(e)).toContain('SubscribeURL\n');
    expect(stringToSign(e)).toContain('Token\ntok\n');
    await expect(v.verify(e)).resolves.toMatchObject({ Type: 'SubscriptionConfirmation' });
    await expect(rejection(v.verify({ ...e, Token: 'other' }))).resolves.toBe('bad_signature');
  });

  it('rejects a tampered message or signature', async () => {
    const { v } = verifier();
    const e = notification();
    await expect(rejection(v.verify({ ...e, Message: e.Message.replace('C1', 'C2') }))).resolves.toBe('bad_signature');
    await expect(rejection(v.verify({ ...e, Signature: Buffer.from('nope').toString('base64') }))).resolves.toBe('bad_signature');
    await expect(rejection(v.verify({ ...e, SignatureVersion: '1' }))).resolves.toBe('bad_signature');
  });

  it('rejects certificate URLs off the allowed hosts, over http, or not a .pem, without fetching them', async () => {
    const { v, fetchCert } = verifier();
    for (const url of [
      'https://evil.example.com/cert.pem',
      'http://sns.us-east-1.amazonaws.com/cert.pem',
      'https://sns.us-east-1.amazonaws.com.evil.com/cert.pem',
      'https://sns.us-east-1.amazonaws.com/cert.txt',
      'https://sns.us-east-1.amazonaws.com:8443/cert.pem',
      'not a url',
    ]) {
      await expect(rejection(v.verify(notification({ SigningCertURL: url })))).resolves.toBe('untrusted_cert_url');
    }
    expect(fetchCert).not.toHaveBeenCalled();
    expect(v.certUrlAllowed('https://sns.cn-north-1.amazonaws.com.cn/x.pem')).toBe(true);
  });

  it('trusts the configured emulator prefix (http allowed) and nothing else on that host', async () => {
    const prefix = 'http://127.0.0.1:4000/_emulator/';
    const { v } = verifier(undefined, prefix);
    await expect(v.verify(notification({ SigningCertURL: `${prefix}sns-cert.pem` }))).resolves.toBeTruthy();
    expect(v.certUrlAllowed('http://127.0.0.1:4000/other/sns-cert.pem')).toBe(false);
  });

  it('rejects malformed envelopes before any fetch', async () => {
    const { v, fetchCert } = verifier();
    const { Signature: _s, ...noSignature } = notification();
    await expect(rejection(v.verify(noSignature))).resolves.toBe('malformed');
    await expect(rejection(v.verify({ ...notification(), SignatureVersion: '3' }))).resolves.toBe('malformed');
    await expect(rejection(v.verify('text'))).resolves.toBe('malformed');
    expect(fetchCert).not.toHaveBeenCalled();
  });

  it('does not cache a failed certificate fetch', async () => {
    const fetchCert = jest.fn<Promise<string>, [string]>().mockRejectedValueOnce(new Error('down')).mockResolvedValue(certPem);
    const { v } = verifier(fetchCert);
    await expect(rejection(v.verify(notification()))).resolves.toBe('cert_unavailable');
    await expect(v.verify(notification())).resolves.toBeTruthy();
    expect(fetchCert).toHaveBeenCalledTimes(2);
  });

  it('host patterns: `*` is one DNS label', () => {
    const p = hostPattern('sns.*.amazonaws.com');
    expect(p.test('sns.eu-west-1.amazonaws.com')).toBe(true);
    expect(p.test('sns.a.b.amazonaws.com')).toBe(false);
    expect(p.test('snsxeu-west-1.amazonaws.com')).toBe(false);
  });
});
