import { loadCliConfig } from '../../../client/cli/config';

describe('CLI configuration', () => {
  it('defaults to the local stack, no MongoDB record and no payload codec', () => {
    const c = loadCliConfig({});
    expect(c).toMatchObject({
      temporal: { address: '127.0.0.1:7233', namespace: 'default', tls: false },
      taskQueue: 'checkout-sessions',
      dataConverter: { payloadCodecs: [] },
    });
    expect(c.mongodb).toBeUndefined();
    expect(c.temporal.apiKey).toBeUndefined();
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('reads MongoDB only when MONGODB_URI is set (an empty value is unset)', () => {
    expect(loadCliConfig({ MONGODB_URI: '' }).mongodb).toBeUndefined();
    expect(loadCliConfig({ MONGODB_URI: 'mongodb://127.0.0.1:27017', MONGODB_DB: 'ops' }).mongodb).toEqual({
      uri: 'mongodb://127.0.0.1:27017',
      db: 'ops',
    });
  });

  it('builds the payload codec from the same keys the worker uses', () => {
    const c = loadCliConfig({ PAYLOAD_CODEC_KEYS: `k1:${Buffer.alloc(32, 1).toString('base64')}`, TEMPORAL_API_KEY: 'secret', TEMPORAL_TLS: 'true' });
    expect(c.dataConverter.payloadCodecs).toHaveLength(1);
    expect(c.temporal).toMatchObject({ apiKey: 'secret', tls: true });
  });

  it('reports every problem at once, codec keys included, without echoing a key', () => {
    const leaked = 'not-a-key-but-secret';
    let message = '';
    try {
      loadCliConfig({ TEMPORAL_TLS: 'maybe', MONGODB_URI: 'http://db', MONGODB_DB: 'bad name', PAYLOAD_CODEC_KEYS: leaked });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/^CLI configuration is invalid/);
    expect(message).toMatch(/TEMPORAL_TLS/);
    expect(message).toMatch(/must be a mongodb:\/\/ or mongodb\+srv:\/\/ URI[\s\S]*MONGODB_URI/);
    expect(message).toMatch(/MONGODB_DB/);
    expect(message).toMatch(/PAYLOAD_CODEC_KEYS entry 1 is not keyId:base64key/);
    expect(message).not.toContain(leaked);
  });

  it('refuses plaintext payloads in production, as the worker does', () => {
    expect(() => loadCliConfig({ NODE_ENV: 'production' })).toThrow(/the cli refuses to start without PAYLOAD_CODEC_KEYS/);
  });
});
