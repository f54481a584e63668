// The SNS verifier without a network: a self-signed certificate stands in for Amazon's, served by an injected fetcher,
// and an injected clock stands in for now. Every forged case names its refusal reason and fetches nothing.
import { sign } from 'node:crypto';
import { generate } from 'selfsigned';
import {
  SnsVerificationError,
  SnsVerifier,
  hostPattern,
  stringToSign,
  type SnsEnvelope,
  type SnsPolicy,
  type SnsVerifierOptions,
} from '../../../client/http/sns';

jest.setTimeout(30_000);

const CERT_URL = 'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc123.pem';
const TOPIC = 'arn:aws:sns:us-east-1:291180941288:A01';
const SENT_AT = '2026-01-01T00:00:00.000Z';
/** Ten minutes after the test messages were sent. */
const NOW = Date.parse(SENT_AT) + 10 * 60_000;
const HOUR = 3_600_000;
let key: string;
let certPem: string;

beforeAll(async () => {
  const pems = await generate([{ name: 'commonName', value: 'sns.amazonaws.com' }], {
    keySize: 2048,
    algorithm: 'sha256',
  });
  key = pems.private;
  certPem = pems.cert;
});

function signed(e: Omit<SnsEnvelope, 'Signature' | 'SignatureVersion'>, version: '1' | '2' = '2'): SnsEnvelope {
  const unsigned = { ...e, SignatureVersion: version } as SnsEnvelope;
  const signature = sign(version === '1' ? 'sha1' : 'sha256', Buffer.from(stringToSign(unsigned)), key).toString(
    'base64',
  );
  return { ...unsigned, Signature: signature };
}

const notification = (over: Partial<SnsEnvelope> = {}, version: '1' | '2' = '2') =>
  signed(
    {
      Type: 'Notification',
      MessageId: 'm-1',
      TopicArn: TOPIC,
      Message: JSON.stringify({ ObjectType: 'CHARGE', ObjectId: 'S01-1-1-C1', NotificationType: 'STATE_CHANGE' }),
      Timestamp: SENT_AT,
      SigningCertURL: CERT_URL,
      UnsubscribeURL: 'https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe',
      ...over,
    },
    version,
  );

type Fetcher = jest.Mock<Promise<string>, [string]>;

function verifier(o: Partial<Omit<SnsVerifierOptions, 'fetchCert' | 'now'>> & { fetchCert?: Fetcher } = {}) {
  const fetchCert = o.fetchCert ?? jest.fn(async (_url: string) => certPem);
  const clock = { now: NOW };
  const v = new SnsVerifier({
    allowedCertHosts: ['sns.*.amazonaws.com', 'sns.*.amazonaws.com.cn'],
    ...o,
    fetchCert,
    now: () => clock.now,
  });
  return { v, fetchCert, clock };
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

/** Each envelope's refusal reason, and that none of them made the verifier fetch a certificate. */
async function refusedWithoutFetch(
  v: SnsVerifier,
  fetchCert: Fetcher,
  envelopes: unknown[],
  policy?: SnsPolicy,
): Promise<string[]> {
  const reasons: string[] = [];
  for (const e of envelopes) reasons.push(await rejection(v.verify(e, policy)));
  expect(fetchCert).not.toHaveBeenCalled();
  return reasons;
}

describe('SNS verifier: signatures', () => {
  it('accepts a SignatureVersion 2 (SHA256withRSA) notification and caches the certificate per URL', async () => {
    const { v, fetchCert } = verifier();
    await expect(v.verify(notification())).resolves.toMatchObject({ Type: 'Notification', MessageId: 'm-1' });
    await v.verify(notification({ MessageId: 'm-2' }));
    expect(fetchCert).toHaveBeenCalledTimes(1);
  });

  it('accepts SignatureVersion 1 (SHA1withRSA)', async () => {
    const { v } = verifier();
    const e = notification({ Subject: 'hello' }, '1');
    await expect(v.verify(e)).resolves.toMatchObject({ SignatureVersion: '1', Subject: 'hello' });
  });

  it('signs SubscriptionConfirmation over SubscribeURL and Token', async () => {
    const { v } = verifier();
    const e = signed({
      Type: 'SubscriptionConfirmation',
      MessageId: 'm-3',
      TopicArn: 'arn:aws:sns:us-east-1:1:A01',
      Message: 'You have chosen to subscribe',
      Timestamp: SENT_AT,
      SigningCertURL: CERT_URL,
      SubscribeURL: 'https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&Token=t',
      Token: 'tok',
    });
    expect(stringToSign(e)).toContain('SubscribeURL\n');
    expect(stringToSign(e)).toContain('Token\ntok\n');
    await expect(v.verify(e)).resolves.toMatchObject({ Type: 'SubscriptionConfirmation' });
    await expect(rejection(v.verify({ ...e, Token: 'other' }))).resolves.toBe('bad_signature');
  });

  it('rejects a tampered message or signature, and a signature checked with the other version', async () => {
    const { v } = verifier();
    const e = notification();
    await expect(rejection(v.verify({ ...e, Message: e.Message.replace('C1', 'C2') }))).resolves.toBe('bad_signature');
    await expect(rejection(v.verify({ ...e, Signature: Buffer.from('nope').toString('base64') }))).resolves.toBe(
      'bad_signature',
    );
    await expect(rejection(v.verify({ ...e, SignatureVersion: '1' }))).resolves.toBe('bad_signature');
    await expect(rejection(v.verify({ ...notification({}, '1'), SignatureVersion: '2' }))).resolves.toBe(
      'bad_signature',
    );
  });

  it('refuses any SignatureVersion but 1 and 2 before fetching', async () => {
    const { v, fetchCert } = verifier();
    const versions = ['3', '0', '02', '2 ', 'SHA256', 'valueOf'];
    const reasons = await refusedWithoutFetch(
      v,
      fetchCert,
      versions.map((SignatureVersion) => ({ ...notification(), SignatureVersion })),
    );
    expect(reasons).toEqual(versions.map(() => 'unsupported_signature_version'));
  });

  it('rejects malformed envelopes before any fetch', async () => {
    const { v, fetchCert } = verifier();
    const { Signature: _s, ...noSignature } = notification();
    expect(
      await refusedWithoutFetch(v, fetchCert, [noSignature, { ...notification(), SignatureVersion: '' }, 'text', null]),
    ).toEqual(['malformed', 'malformed', 'malformed', 'malformed']);
  });
});

describe('SNS verifier: certificate URL', () => {
  it('accepts only https://sns.<region>.amazonaws.com[.cn]/SimpleNotificationService-<hex>.pem', () => {
    const { v } = verifier();
    for (const url of [
      CERT_URL,
      'https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-9c6465fa7f48f5cacd23014631ec1136.pem',
      'https://sns.us-gov-west-1.amazonaws.com/SimpleNotificationService-0123456789abcdef.pem',
      'https://sns.cn-north-1.amazonaws.com.cn/SimpleNotificationService-0123456789abcdef.pem',
    ]) {
      expect([url, v.certUrlAllowed(url)]).toEqual([url, true]);
    }
  });

  it('refuses every other certificate URL, without fetching it', async () => {
    const { v, fetchCert } = verifier();
    const urls = [
      // Other hosts, including what AWS's default pattern (`sns.<any 3+ chars>.amazonaws.com`) lets through.
      'https://sns.amazonaws.com.evil.com/SimpleNotificationService-abc123.pem',
      'https://sns.us-east-1.amazonaws.com.evil.com/SimpleNotificationService-abc123.pem',
      'https://sns.us-east-1.amazonaws.com.cn.evil.com/SimpleNotificationService-abc123.pem',
      'https://sns.s3.amazonaws.com/SimpleNotificationService-abc123.pem',
      'https://sns.evil-bucket.amazonaws.com/SimpleNotificationService-abc123.pem',
      'https://sns.amazonaws.com/SimpleNotificationService-abc123.pem',
      'https://s3.amazonaws.com/sns/SimpleNotificationService-abc123.pem',
      'https://sns.us-east-1.amazonaws.com./SimpleNotificationService-abc123.pem',
      'https://evil.example.com/SimpleNotificationService-abc123.pem',
      // Scheme, port, userinfo, query, fragment.
      'http://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc123.pem',
      'https://sns.us-east-1.amazonaws.com:8443/SimpleNotificationService-abc123.pem',
      'https://sns.us-east-1.amazonaws.com:443/SimpleNotificationService-abc123.pem',
      'https://user:pw@sns.us-east-1.amazonaws.com/SimpleNotificationService-abc123.pem',
      'https://sns.us-east-1.amazonaws.com@evil.com/SimpleNotificationService-abc123.pem',
      'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-x.pem?x=1',
      'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc123.pem?x=1',
      'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc123.pem?',
      'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc123.pem#x',
      // Paths.
      'https://sns.us-east-1.amazonaws.com/other.pem',
      'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-test.pem',
      'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-ABC123.pem',
      'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-.pem',
      'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc123.pem.txt',
      'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc123.pem/',
      'https://sns.us-east-1.amazonaws.com//SimpleNotificationService-abc123.pem',
      'https://sns.us-east-1.amazonaws.com/x/SimpleNotificationService-abc123.pem',
      'https://sns.us-east-1.amazonaws.com/x/../SimpleNotificationService-abc123.pem',
      'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc123%2Epem',
      'https://sns.us-east-1.amazonaws.com\\SimpleNotificationService-abc123.pem',
      'HTTPS://SNS.US-EAST-1.AMAZONAWS.COM/SimpleNotificationService-abc123.pem',
      'not a url',
    ];
    const reasons = await refusedWithoutFetch(
      v,
      fetchCert,
      urls.map((SigningCertURL) => notification({ SigningCertURL })),
    );
    expect(reasons).toEqual(urls.map(() => 'untrusted_cert_url'));
  });

  it('IPN_ALLOWED_CERT_HOSTS narrows the SNS hosts and cannot admit another host or path', async () => {
    const { v, fetchCert } = verifier({
      allowedCertHosts: ['sns.us-east-1.amazonaws.com', 'evil.example.com', 's3.amazonaws.com'],
    });
    expect(v.certUrlAllowed(CERT_URL)).toBe(true);
    const urls = [
      'https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-abc123.pem',
      'https://evil.example.com/SimpleNotificationService-abc123.pem',
      'https://s3.amazonaws.com/SimpleNotificationService-abc123.pem',
      'https://sns.us-east-1.amazonaws.com/other.pem',
    ];
    expect(
      await refusedWithoutFetch(
        v,
        fetchCert,
        urls.map((SigningCertURL) => notification({ SigningCertURL })),
      ),
    ).toEqual(urls.map(() => 'untrusted_cert_url'));
  });

  it('trusts the configured emulator prefix (http allowed) and nothing else on that host', async () => {
    const prefix = 'http://127.0.0.1:4000/_emulator/';
    const { v } = verifier({ trustedCertUrlPrefix: prefix });
    await expect(v.verify(notification({ SigningCertURL: `${prefix}sns-cert.pem` }))).resolves.toBeTruthy();
    expect(v.certUrlAllowed('http://127.0.0.1:4000/other/sns-cert.pem')).toBe(false);
    expect(v.certUrlAllowed(`${prefix}../other/sns-cert.pem`)).toBe(false);
  });

  it('host patterns: `*` is one DNS label', () => {
    const p = hostPattern('sns.*.amazonaws.com');
    expect(p.test('sns.eu-west-1.amazonaws.com')).toBe(true);
    expect(p.test('sns.a.b.amazonaws.com')).toBe(false);
    expect(p.test('snsxeu-west-1.amazonaws.com')).toBe(false);
  });
});

describe('SNS verifier: topic and timestamp', () => {
  it('accepts only the allowed TopicArns when a list is given, any topic when it is empty', async () => {
    const { v, fetchCert } = verifier();
    await expect(
      v.verify(notification(), { allowedTopicArns: ['arn:aws:sns:eu-west-1:291180941288:Other', TOPIC] }),
    ).resolves.toBeTruthy();
    await expect(
      v.verify(notification({ TopicArn: 'arn:aws:sns:us-east-1:1:Anything' }), { allowedTopicArns: [] }),
    ).resolves.toBeTruthy();
    fetchCert.mockClear();
    const forged = [
      `${TOPIC}x`,
      'arn:aws:sns:us-east-1:291180941288:a01',
      'arn:aws:sns:us-east-1:999999999999:A01',
    ].map((TopicArn) => notification({ TopicArn }));
    expect(await refusedWithoutFetch(v, fetchCert, forged, { allowedTopicArns: [TOPIC] })).toEqual(
      forged.map(() => 'topic_not_allowed'),
    );
  });

  it('accepts a Timestamp up to an hour old (default) and up to 5 minutes ahead', async () => {
    const { v, clock } = verifier();
    for (const offset of [-HOUR, -1, 0, 5 * 60_000]) {
      await expect(
        v.verify(notification({ Timestamp: new Date(clock.now + offset).toISOString() })),
      ).resolves.toBeTruthy();
    }
    await expect(
      v.verify(notification({ Timestamp: new Date(clock.now).toISOString().replace('.000Z', 'Z') })),
    ).resolves.toBeTruthy();
  });

  it('refuses a Timestamp too old, too far ahead or unparseable, before fetching', async () => {
    const { v, fetchCert, clock } = verifier();
    const at = (offset: number) => new Date(clock.now + offset).toISOString();
    const timestamps = [
      at(-HOUR - 1),
      at(-30 * 24 * HOUR),
      at(5 * 60_000 + 1),
      at(24 * HOUR),
      'yesterday',
      '1',
      '2026-01-01',
      '2026-01-01T00:05:00',
      '2026-01-01T01:05:00.000+01:00',
      '2026-02-31T00:00:00.000Z',
      '2026-01-01T00:05:00.000000Z',
      ' 2026-01-01T00:05:00.000Z',
    ];
    const reasons = await refusedWithoutFetch(
      v,
      fetchCert,
      timestamps.map((Timestamp) => notification({ Timestamp })),
    );
    expect(reasons).toEqual(timestamps.map(() => 'stale_timestamp'));
  });

  it('IPN_MAX_AGE_MS sets the age limit', async () => {
    const { v, clock } = verifier();
    const twoMinutesOld = notification({ Timestamp: new Date(clock.now - 120_000).toISOString() });
    await expect(rejection(v.verify(twoMinutesOld, { maxAgeMs: 60_000 }))).resolves.toBe('stale_timestamp');
    await expect(v.verify(twoMinutesOld, { maxAgeMs: 180_000 })).resolves.toBeTruthy();
  });

  it('checks in order: shape, version, certificate URL, topic, timestamp, then the fetched certificate', async () => {
    const { v, fetchCert } = verifier();
    const policy = { allowedTopicArns: [TOPIC] };
    const bad = {
      SigningCertURL: 'https://evil.example.com/x.pem',
      TopicArn: 'arn:aws:sns:us-east-1:1:Other',
      Timestamp: 'never',
    };
    const reasons = await refusedWithoutFetch(
      v,
      fetchCert,
      [
        { ...notification(bad), SignatureVersion: '3', MessageId: '' },
        { ...notification(bad), SignatureVersion: '3' },
        notification(bad),
        notification({ TopicArn: bad.TopicArn, Timestamp: bad.Timestamp }),
        notification({ Timestamp: bad.Timestamp }),
      ],
      policy,
    );
    expect(reasons).toEqual([
      'malformed',
      'unsupported_signature_version',
      'untrusted_cert_url',
      'topic_not_allowed',
      'stale_timestamp',
    ]);
  });
});

describe('SNS verifier: certificate cache', () => {
  const certUrl = (n: number) =>
    `https://sns.us-east-1.amazonaws.com/SimpleNotificationService-${n.toString(16).padStart(4, '0')}.pem`;

  it('does not cache a failed certificate fetch or a body that is not a certificate; refuses the URL for a minute without fetching', async () => {
    const fetchCert: Fetcher = jest
      .fn<Promise<string>, [string]>()
      .mockRejectedValueOnce(new Error('down'))
      .mockResolvedValueOnce('not a pem')
      .mockResolvedValue(certPem);
    const { v, clock } = verifier({ fetchCert });
    await expect(rejection(v.verify(notification()))).resolves.toBe('cert_unavailable');
    await expect(rejection(v.verify(notification()))).resolves.toBe('cert_unavailable'); // refused lately: no fetch
    expect(fetchCert).toHaveBeenCalledTimes(1);
    clock.now += 60_001;
    await expect(rejection(v.verify(notification()))).resolves.toBe('cert_unavailable'); // not a PEM
    clock.now += 60_001;
    await expect(v.verify(notification())).resolves.toBeTruthy();
    await expect(v.verify(notification())).resolves.toBeTruthy();
    expect(fetchCert).toHaveBeenCalledTimes(3);
  });

  it('runs at most maxConcurrentFetches certificate fetches at once; more messages needing one are refused unfetched', async () => {
    const pending: (() => void)[] = [];
    let held = true;
    const fetchCert: Fetcher = jest.fn((_url: string) => (held ? new Promise<string>((resolve) => pending.push(() => resolve(certPem))) : Promise.resolve(certPem)));
    const { v } = verifier({ fetchCert, maxConcurrentFetches: 2 });
    const inFlight = [1, 2].map((n) => v.verify(notification({ SigningCertURL: certUrl(n) })));
    await expect(rejection(v.verify(notification({ SigningCertURL: certUrl(3) })))).resolves.toBe('cert_unavailable');
    expect(fetchCert).toHaveBeenCalledTimes(2);
    held = false;
    pending.forEach((release) => release());
    await Promise.all(inFlight);
    await expect(v.verify(notification({ SigningCertURL: certUrl(3) }))).resolves.toBeTruthy();
    expect(fetchCert).toHaveBeenCalledTimes(3);
  });

  it('fetches a certificate once for concurrent messages', async () => {
    const { v, fetchCert } = verifier();
    await Promise.all([1, 2, 3].map((n) => v.verify(notification({ MessageId: `m-${n}` }))));
    expect(fetchCert).toHaveBeenCalledTimes(1);
  });

  it('keeps at most maxCachedCerts certificates, evicting the least recently used', async () => {
    const { v, fetchCert } = verifier({ maxCachedCerts: 2 });
    const use = (n: number) => v.verify(notification({ SigningCertURL: certUrl(n) }));
    for (const n of [1, 2, 1, 3]) await use(n); // 3 evicts 2: 1 was used after it
    expect(fetchCert.mock.calls.map(([u]) => u)).toEqual([certUrl(1), certUrl(2), certUrl(3)]);
    await use(1);
    await use(3);
    expect(fetchCert).toHaveBeenCalledTimes(3);
    await use(2);
    expect(fetchCert).toHaveBeenCalledTimes(4);
    await use(1); // evicted by 2
    expect(fetchCert).toHaveBeenCalledTimes(5);
  });

  it('holds 32 certificates by default', async () => {
    const { v, fetchCert } = verifier();
    const use = (n: number) => v.verify(notification({ SigningCertURL: certUrl(n) }));
    for (let n = 0; n < 33; n++) await use(n);
    for (let n = 1; n < 33; n++) await use(n);
    expect(fetchCert).toHaveBeenCalledTimes(33);
    await use(0);
    expect(fetchCert).toHaveBeenCalledTimes(34);
  });

  it('fetches a certificate again after its TTL (default 1 hour)', async () => {
    const { v, fetchCert, clock } = verifier();
    const use = () => v.verify(notification({ Timestamp: new Date(clock.now).toISOString() }));
    await use();
    clock.now += HOUR - 1;
    await use();
    expect(fetchCert).toHaveBeenCalledTimes(1);
    clock.now += 1;
    await use();
    expect(fetchCert).toHaveBeenCalledTimes(2);

    const short = verifier({ certTtlMs: 60_000 });
    await short.v.verify(notification());
    short.clock.now += 60_000;
    await short.v.verify(notification());
    expect(short.fetchCert).toHaveBeenCalledTimes(2);
  });
});
