'use strict';
/*
 * Runs Amazon's official Node SDK against the emulator, in its own process: with overrideServiceUrl the SDK sets
 * NODE_TLS_REJECT_UNAUTHORIZED=0 for the whole process (reference §4), which must not leak into the test runner.
 * Input via env: EMULATOR_HOSTPORT (127.0.0.1:<port>), PUBLIC_KEY_ID, PRIVATE_KEY_PEM, SESSION_ID.
 * Prints one JSON line with the outcome of each call.
 */
const path = require('node:path');
const Client = require('@amazonpay/amazon-pay-api-sdk-nodejs');
// The SDK's own axios instance, to tamper with the body after the SDK has signed it.
const axios = require(
  require.resolve('axios', { paths: [path.dirname(require.resolve('@amazonpay/amazon-pay-api-sdk-nodejs'))] }),
);

const { EMULATOR_HOSTPORT, PUBLIC_KEY_ID, PRIVATE_KEY_PEM, SESSION_ID } = process.env;

function client(algorithm) {
  return new Client.WebStoreClient({
    publicKeyId: PUBLIC_KEY_ID,
    privateKey: PRIVATE_KEY_PEM,
    region: 'us',
    sandbox: true,
    ...(algorithm ? { algorithm } : {}),
    overrideServiceUrl: EMULATOR_HOSTPORT,
  });
}

function outcome(promise) {
  return promise.then(
    (r) => ({ ok: true, status: r.status, data: r.data, requestId: r.headers['x-amz-pay-request-id'] }),
    (e) => ({
      ok: false,
      status: e.response ? e.response.status : null,
      data: e.response ? e.response.data : null,
      error: e.response ? undefined : String(e.message || e),
    }),
  );
}

async function main() {
  const v2 = client('AMZN-PAY-RSASSA-PSS-V2');
  const v1 = client(undefined);
  const payload = { chargeAmount: { amount: '14.00', currencyCode: 'USD' } };
  const out = {};

  out.getV2 = await outcome(v2.getCheckoutSession(SESSION_ID));
  out.getV1 = await outcome(v1.getCheckoutSession(SESSION_ID));

  const tamper = axios.interceptors.request.use((config) => {
    if (typeof config.data === 'string') config.data = config.data.replace('"14.00"', '"1.00"');
    return config;
  });
  out.tampered = await outcome(
    v2.completeCheckoutSession(SESSION_ID, payload, { 'x-amz-pay-idempotency-key': 'sdk-tampered' }),
  );
  axios.interceptors.request.eject(tamper);

  out.complete = await outcome(
    v2.completeCheckoutSession(SESSION_ID, payload, { 'x-amz-pay-idempotency-key': 'sdk-complete-1' }),
  );
  out.completeReplay = await outcome(
    v2.completeCheckoutSession(SESSION_ID, payload, { 'x-amz-pay-idempotency-key': 'sdk-complete-1' }),
  );
  out.completeAgainNoKey = await outcome(v1.completeCheckoutSession(SESSION_ID, payload));
  if (out.complete.ok && out.complete.data.chargeId) {
    out.charge = await outcome(v2.getCharge(out.complete.data.chargeId));
    out.chargePermission = await outcome(v2.getChargePermission(out.complete.data.chargePermissionId));
  }
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

main().catch((e) => {
  process.stderr.write(`${(e && e.stack) || e}\n`);
  process.exit(1);
});
