import { AMOUNT, startFixture, type Fixture } from '../../helpers/emulator-fixture';

type Json = Record<string, unknown> & {
  statusDetails?: { state: string; reasonCode: string | null };
  chargeId?: string | null;
  chargePermissionId?: string | null;
};

const DAY = 24 * 3600 * 1000;

/** The checkout session, charge and charge permission state machines (reference §5) as the API shows them. */
describe('emulator: checkout sessions', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await startFixture();
  });
  afterAll(() => f.close());

  const complete = (id: string, body: unknown = { chargeAmount: AMOUNT }, o = {}) =>
    f.api('POST', `/sandbox/v2/checkoutSessions/${id}/complete`, body, o);
  const finalize = (id: string, body: unknown, o = {}) =>
    f.api('POST', `/sandbox/v2/checkoutSessions/${id}/finalize`, body, o);
  const getSession = async (id: string) => (await f.api('GET', `/sandbox/v2/checkoutSessions/${id}`)).json<Json>();
  const getCharge = async (id: string) => (await f.api('GET', `/sandbox/v2/charges/${id}`)).json<Json>();

  it('a buyer who approved and never came back: Open, buyer shown, no constraints; before approval, refused', async () => {
    const id = await f.newSession({});
    expect((await getSession(id)).constraints).toEqual([expect.objectContaining({ constraintId: 'BuyerNotAssociated' })]);
    const early = await complete(id, { chargeAmount: { amount: '14', currencyCode: 'USD' } });
    expect(early.status).toBe(422);
    expect(early.json<Json>()).toMatchObject({ reasonCode: 'InvalidCheckoutSessionStatus' });
    // The admin action is the buyer's choice on Amazon's page; nothing follows its redirect: the return is lost.
    await f.admin('POST', `/checkout-sessions/${id}/buyer`, { action: 'approve' });
    const open = await getSession(id);
    expect(open).toMatchObject({ statusDetails: { state: 'Open' }, constraints: [], buyer: expect.objectContaining({ name: 'Susie Smith' }) });
    expect((await f.admin('GET', `/checkout-sessions/${id}/counters`)).json<Json>()).toMatchObject({ completeEffects: 0 });
  });

  it('create → approve → complete: 200, Completed, Captured charge, Chargeable permission', async () => {
    const id = await f.newSession({ merchantReferenceId: 'order-1' });
    const open = await getSession(id);
    expect(open).toMatchObject({
      statusDetails: { state: 'Open' },
      buyer: null,
      constraints: [{ constraintId: 'BuyerNotAssociated' }],
      paymentDetails: { chargeAmount: AMOUNT, paymentIntent: 'AuthorizeWithCapture' },
    });
    expect(open.creationTimestamp).toMatch(/^\d{8}T\d{6}Z$/);
    expect(open.expirationTimestamp).toMatch(/^\d{8}T\d{6}Z$/);
    expect((open.webCheckoutDetails as Json).amazonPayRedirectUrl).toBe(`${f.emu.adminUrl}/amazon-page/${id}`);

    const buyer = await f.admin('POST', `/checkout-sessions/${id}/buyer`, { action: 'approve' });
    expect(buyer.json()).toEqual({ redirectUrl: `https://shop.example/return?amazonCheckoutSessionId=${id}` });

    const r = await complete(id, { chargeAmount: { amount: '14', currencyCode: 'USD' } });
    expect(r.status).toBe(200);
    const s = r.json<Json>();
    expect(s).toMatchObject({ statusDetails: { state: 'Completed', reasonCode: null }, constraints: [] });
    expect(s.chargePermissionId).toMatch(/^S01-\d{7}-\d{7}$/);
    expect(s.chargeId).toMatch(/^S01-\d{7}-\d{7}-C\d{6}$/);
    expect(s.buyer).toMatchObject({ name: 'Susie Smith', buyerId: expect.stringMatching(/^amzn1\.account\./) });

    const charge = await getCharge(s.chargeId!);
    expect(charge).toMatchObject({
      chargeId: s.chargeId,
      chargePermissionId: s.chargePermissionId,
      chargeAmount: AMOUNT,
      captureAmount: AMOUNT,
      statusDetails: { state: 'Captured' },
    });
    const cp = (await f.api('GET', `/sandbox/v2/chargePermissions/${s.chargePermissionId}`)).json<Json>();
    expect(cp).toMatchObject({
      chargePermissionType: 'OneTime',
      statusDetails: { state: 'Chargeable', reasons: null },
      limits: { amountLimit: AMOUNT, amountBalance: { amount: '0.00', currencyCode: 'USD' } },
      merchantMetadata: { merchantReferenceId: 'order-1' },
    });
    expect(await f.emu.state.counters(id)).toMatchObject({ completeCalls: 1, completeEffects: 1 });
  });

  it('Authorize → Authorized charge; capture (key required) → Captured; cancel with a JSON DELETE body', async () => {
    const id = await f.approvedSession({ paymentIntent: 'Authorize' });
    const s = (await complete(id)).json<Json>();
    expect((await getCharge(s.chargeId!)).statusDetails).toMatchObject({ state: 'Authorized' });

    const noKey = await f.api('POST', `/sandbox/v2/charges/${s.chargeId}/capture`, { captureAmount: AMOUNT });
    expect(noKey.status).toBe(400);
    expect(noKey.json()).toMatchObject({ reasonCode: 'MissingHeader' });
    const over = await f.api(
      'POST',
      `/sandbox/v2/charges/${s.chargeId}/capture`,
      { captureAmount: { amount: '15.00', currencyCode: 'USD' } },
      { idempotencyKey: 'cap-over' },
    );
    expect(over.json()).toMatchObject({ reasonCode: 'TransactionAmountExceeded' });
    const cap = await f.api(
      'POST',
      `/sandbox/v2/charges/${s.chargeId}/capture`,
      { captureAmount: AMOUNT, softDescriptor: 'SHOP' },
      { idempotencyKey: 'cap-1' },
    );
    expect(cap.status).toBe(200);
    expect(cap.json()).toMatchObject({ statusDetails: { state: 'Captured' }, captureAmount: AMOUNT });
    const cancelCaptured = await f.api('DELETE', `/sandbox/v2/charges/${s.chargeId}/cancel`, {
      cancellationReason: 'x',
    });
    expect(cancelCaptured.status).toBe(422);
    expect(cancelCaptured.json()).toMatchObject({ reasonCode: 'InvalidChargeStatus' });

    const id2 = await f.approvedSession({ paymentIntent: 'Authorize' });
    const s2 = (await complete(id2)).json<Json>();
    const cancel = await f.api('DELETE', `/v2/charges/${s2.chargeId}/cancel`, { cancellationReason: 'Out of stock' });
    expect(cancel.status).toBe(200);
    expect(cancel.json()).toMatchObject({
      statusDetails: { state: 'Canceled', reasonCode: 'MerchantCanceled', reasonDescription: 'Out of stock' },
    });
  });

  it('Confirm → Completed with a charge permission and no charge', async () => {
    const id = await f.approvedSession({ paymentIntent: 'Confirm' });
    const r = await complete(id);
    expect(r.status).toBe(200);
    expect(r.json()).toMatchObject({ statusDetails: { state: 'Completed' }, chargeId: null });
    expect(r.json<Json>().chargePermissionId).toEqual(expect.any(String));
  });

  it('pending authorization: 202, AuthorizationInitiated, settles to Authorized on the emulator clock', async () => {
    const id = await f.approvedSession(
      { paymentIntent: 'Authorize', canHandlePendingAuthorization: true },
      { action: 'approve-pending', settleAfterMs: 60 * 60_000 },
    );
    const r = await complete(id);
    expect(r.status).toBe(202);
    const s = r.json<Json>();
    expect(s.statusDetails).toMatchObject({ state: 'Completed' });
    expect((await getCharge(s.chargeId!)).statusDetails).toMatchObject({ state: 'AuthorizationInitiated' });

    await f.admin('POST', '/clock/advance', { ms: 59 * 60_000 });
    expect((await getCharge(s.chargeId!)).statusDetails).toMatchObject({ state: 'AuthorizationInitiated' });
    await f.admin('POST', '/clock/advance', { ms: 60_000 });
    expect((await getCharge(s.chargeId!)).statusDetails).toMatchObject({ state: 'Authorized' });
  });

  it('pending AuthorizeWithCapture settles to Captured; an explicit admin settle can decline', async () => {
    const id = await f.approvedSession(
      { canHandlePendingAuthorization: true },
      { action: 'approve-pending', settleAfterMs: 1000 },
    );
    const s = (await complete(id)).json<Json>();
    await f.admin('POST', '/clock/advance', { ms: 1000 });
    expect(await getCharge(s.chargeId!)).toMatchObject({ statusDetails: { state: 'Captured' }, captureAmount: AMOUNT });

    const id2 = await f.approvedSession({ canHandlePendingAuthorization: true }, { action: 'approve-pending' });
    const s2 = (await complete(id2)).json<Json>();
    const settled = await f.admin('POST', `/charges/${s2.chargeId}/settle`, { to: 'Declined' });
    expect(settled.json()).toMatchObject({ statusDetails: { state: 'Declined', reasonCode: 'SoftDeclined' } });
    expect((await getSession(id2)).statusDetails).toMatchObject({ state: 'Completed' });
    const again = await f.admin('POST', `/charges/${s2.chargeId}/settle`, { to: 'Authorized' });
    expect(again.status).toBe(422);
  });

  it('pending wanted by the buyer but not handled by the merchant: synchronous 200 (or a decline)', async () => {
    const id = await f.approvedSession({ canHandlePendingAuthorization: false }, { action: 'approve-pending' });
    const r = await complete(id);
    expect(r.status).toBe(200);
    expect((await getCharge(r.json<Json>().chargeId!)).statusDetails).toMatchObject({ state: 'Captured' });

    const id2 = await f.approvedSession({}, { action: 'approve-pending', settleTo: 'Declined' });
    const r2 = await complete(id2);
    expect(r2.status).toBe(422);
    expect(r2.json()).toMatchObject({ reasonCode: 'CheckoutSessionCanceled' });
  });

  it('AmountMismatch 409 when chargeAmount differs (as a decimal) or totalOrderAmount does not match', async () => {
    const id = await f.approvedSession({ totalOrderAmount: { amount: '20.00', currencyCode: 'USD' } });
    const wrong = await complete(id, {
      chargeAmount: { amount: '14.01', currencyCode: 'USD' },
      totalOrderAmount: { amount: '20', currencyCode: 'USD' },
    });
    expect(wrong.status).toBe(409);
    expect(wrong.json()).toMatchObject({ reasonCode: 'AmountMismatch' });
    const currency = await complete(id, {
      chargeAmount: { amount: '14.00', currencyCode: 'EUR' },
      totalOrderAmount: { amount: '20', currencyCode: 'USD' },
    });
    expect(currency.status).toBe(409);
    const total = await complete(id, {
      chargeAmount: AMOUNT,
      totalOrderAmount: { amount: '19.99', currencyCode: 'USD' },
    });
    expect(total.status).toBe(409);
    const noTotal = await complete(id, { chargeAmount: AMOUNT });
    expect(noTotal.status).toBe(400);
    expect(noTotal.json()).toMatchObject({ reasonCode: 'MissingParameterValue' });
    const bad = await complete(id, { chargeAmount: { amount: '14,00', currencyCode: 'USD' } });
    expect(bad.json()).toMatchObject({ reasonCode: 'InvalidParameterValue' });
    const garbage = await complete(id, '{"chargeAmount":');
    expect(garbage.json()).toMatchObject({ reasonCode: 'InvalidRequestFormat' });
    expect(f.emu.state.counters(id)).toMatchObject({ completeCalls: 6, completeEffects: 0 });
    const ok = await complete(id, {
      chargeAmount: { amount: '14.0', currencyCode: 'USD' },
      totalOrderAmount: { amount: '20', currencyCode: 'USD' },
    });
    expect(ok.status).toBe(200);
  });

  it('a second complete without a key: 422 InvalidCheckoutSessionStatus, one effect', async () => {
    const id = await f.approvedSession();
    expect((await complete(id)).status).toBe(200);
    const second = await complete(id);
    expect(second.status).toBe(422);
    expect(second.json()).toMatchObject({ reasonCode: 'InvalidCheckoutSessionStatus' });
    expect(f.emu.state.counters(id)).toMatchObject({ completeCalls: 2, completeEffects: 1 });
  });

  it('complete before the buyer approved: 422 and the session stays Open', async () => {
    const id = await f.newSession();
    const r = await complete(id);
    expect(r.status).toBe(422);
    expect(r.json()).toMatchObject({ reasonCode: 'InvalidCheckoutSessionStatus' });
    expect((await getSession(id)).statusDetails).toMatchObject({ state: 'Open' });
  });

  it('declined by the buyer: 422 CheckoutSessionCanceled, session Canceled/Declined', async () => {
    const id = await f.approvedSession({}, { action: 'decline' });
    const r = await complete(id);
    expect(r.status).toBe(422);
    expect(r.json()).toMatchObject({ reasonCode: 'CheckoutSessionCanceled' });
    const s = await getSession(id);
    expect(s.statusDetails).toMatchObject({ state: 'Canceled', reasonCode: 'Declined' });
    expect(s.chargeId).toBeNull();
    expect(f.emu.state.counters(id)).toMatchObject({ completeEffects: 1 });
  });

  it('canceled by the buyer: Canceled/BuyerCanceled, redirected to the cancel URL', async () => {
    const id = await f.newSession();
    const r = await f.admin('POST', `/checkout-sessions/${id}/buyer`, { action: 'cancel' });
    expect(r.json()).toEqual({ redirectUrl: `https://shop.example/cancel?amazonCheckoutSessionId=${id}` });
    expect((await getSession(id)).statusDetails).toMatchObject({ state: 'Canceled', reasonCode: 'BuyerCanceled' });
    expect((await complete(id)).json()).toMatchObject({ reasonCode: 'CheckoutSessionCanceled' });
  });

  it('expires 24 h after creation on the emulator clock; gone (404) after 30 days', async () => {
    const local = await startFixture();
    try {
      const id = await local.approvedSession();
      await local.admin('POST', '/clock/advance', { ms: DAY - 1000 });
      expect((await local.api('GET', `/v2/checkoutSessions/${id}`)).json()).toMatchObject({
        statusDetails: { state: 'Open' },
      });
      await local.admin('POST', '/clock/advance', { ms: 1000 });
      const expired = (await local.api('GET', `/v2/checkoutSessions/${id}`)).json<Json>();
      expect(expired.statusDetails).toMatchObject({ state: 'Canceled', reasonCode: 'Expired' });
      expect(expired.statusDetails).toMatchObject({ lastUpdatedTimestamp: expired.expirationTimestamp });
      const late = await local.api('POST', `/v2/checkoutSessions/${id}/complete`, { chargeAmount: AMOUNT });
      expect(late.status).toBe(422);
      expect(late.json()).toMatchObject({ reasonCode: 'InvalidCheckoutSessionStatus' });

      await local.admin('POST', '/clock/advance', { ms: 29 * DAY });
      const gone = await local.api('GET', `/v2/checkoutSessions/${id}`);
      expect(gone.status).toBe(404);
      expect(gone.json()).toMatchObject({ reasonCode: 'ResourceNotFound' });
      expect((await local.admin('GET', `/checkout-sessions/${id}`)).json()).toMatchObject({ deleted: true });
      expect((await local.admin('GET', '/clock')).json()).toMatchObject({ offsetMs: 30 * DAY });
    } finally {
      await local.close();
    }
  });

  it('finalize: required fields, the shared address, paymentDescriptor in the response', async () => {
    const id = await f.approvedSession({ productType: 'PayAndShip', paymentIntent: 'Authorize' });
    const shared = (await getSession(id)).shippingAddress as Record<string, unknown>;
    const base = {
      chargeAmount: AMOUNT,
      paymentIntent: 'AuthorizeWithCapture',
      canHandlePendingAuthorization: 'false',
    };

    const noAddress = await finalize(id, base);
    expect(noAddress.status).toBe(400);
    expect(noAddress.json()).toMatchObject({ reasonCode: 'MissingParameterValue' });
    const otherAddress = await finalize(id, { ...base, shippingAddress: { ...shared, addressLine1: '11 Ditka Ave' } });
    expect(otherAddress.json()).toMatchObject({ reasonCode: 'InvalidParameterValue' });
    const noIntent = await finalize(id, { chargeAmount: AMOUNT, shippingAddress: shared });
    expect(noIntent.json()).toMatchObject({ reasonCode: 'MissingParameterValue' });
    const badIntent = await finalize(id, { ...base, paymentIntent: 'Steal', shippingAddress: shared });
    expect(badIntent.json()).toMatchObject({ reasonCode: 'InvalidParameterValue' });
    const noAmount = await finalize(id, { paymentIntent: 'Authorize', shippingAddress: shared });
    expect(noAmount.json()).toMatchObject({ reasonCode: 'MissingParameterValue' });

    const ok = await finalize(id, { ...base, shippingAddress: shared }, { idempotencyKey: 'fin-1' });
    expect(ok.status).toBe(200);
    const s = ok.json<Json>();
    expect(s).toMatchObject({ statusDetails: { state: 'Completed' }, paymentDescriptor: 'Amazon Pay Visa (1111)' });
    // The finalize body's paymentIntent wins over the session's.
    expect((await getCharge(s.chargeId!)).statusDetails).toMatchObject({ state: 'Captured' });
    expect(f.emu.state.counters(id)).toMatchObject({ finalizeCalls: 6, finalizeEffects: 1 });
  });

  it('finalize PayOnly needs the billing address', async () => {
    const id = await f.approvedSession({ productType: 'PayOnly' });
    const billing = (await getSession(id)).billingAddress;
    const base = { chargeAmount: AMOUNT, paymentIntent: 'Authorize' };
    expect((await finalize(id, base)).json()).toMatchObject({ reasonCode: 'MissingParameterValue' });
    expect((await finalize(id, { ...base, billingAddress: billing })).status).toBe(200);
  });

  it('saved wallet: complete with {} returns buyer, billing and shipping address, no charge', async () => {
    const id = await f.approvedSession({ chargeAmount: undefined, chargePermissionType: 'PaymentMethodOnFile' });
    const r = await complete(id, {});
    expect(r.status).toBe(200);
    const s = r.json<Json>();
    expect(s).toMatchObject({
      chargePermissionType: 'PaymentMethodOnFile',
      statusDetails: { state: 'Completed' },
      chargeId: null,
      buyer: { name: 'Susie Smith', email: expect.any(String) },
      billingAddress: { city: 'Seattle', postalCode: '98121' },
      shippingAddress: { city: 'Chicago' },
    });
    expect(s.chargePermissionId).toEqual(expect.any(String));
  });

  it('simulation codes: HardDeclined on complete, AmazonRejected on capture, unknown → 400', async () => {
    const id = await f.approvedSession();
    const unknown = await complete(id, undefined, { headers: { 'x-amz-pay-simulation-code': 'Nonsense' } });
    expect(unknown.status).toBe(400);
    expect(unknown.json()).toMatchObject({ reasonCode: 'InvalidSandboxSimulationSpecified' });
    const declined = await complete(id, undefined, { headers: { 'x-amz-pay-simulation-code': 'HardDeclined' } });
    expect(declined.status).toBe(422);
    expect(declined.json()).toMatchObject({ reasonCode: 'CheckoutSessionCanceled' });
    expect((await getSession(id)).statusDetails).toMatchObject({ state: 'Canceled', reasonCode: 'Declined' });

    const id2 = await f.approvedSession({ paymentIntent: 'Authorize' });
    const s2 = (await complete(id2)).json<Json>();
    const rejected = await f.api(
      'POST',
      `/sandbox/v2/charges/${s2.chargeId}/capture`,
      { captureAmount: AMOUNT },
      { idempotencyKey: 'cap-rejected', headers: { 'x-amz-pay-simulation-code': 'AmazonRejected' } },
    );
    expect(rejected.status).toBe(422);
    expect(rejected.json()).toMatchObject({ reasonCode: 'AmazonRejected' });
    expect((await getCharge(s2.chargeId!)).statusDetails).toMatchObject({
      state: 'Declined',
      reasonCode: 'AmazonRejected',
    });

    const getWithCode = await f.api('GET', `/v2/checkoutSessions/${id}`, undefined, {
      headers: { 'x-amz-pay-simulation-code': 'HardDeclined' },
    });
    expect(getWithCode.json()).toMatchObject({ reasonCode: 'InvalidSandboxSimulationSpecified' });
  });

  it('API-created session: 201, PATCH, Amazon page form, 303 to the result URL', async () => {
    const created = await f.api(
      'POST',
      '/v2/checkoutSessions',
      {
        webCheckoutDetails: { checkoutReviewReturnUrl: 'https://shop.example/review' },
        storeId: 'amzn1.application-oa2-client.test',
      },
      { idempotencyKey: 'create-1' },
    );
    expect(created.status).toBe(201);
    const s = created.json<Json & { checkoutSessionId: string; constraints: { constraintId: string }[] }>();
    expect(s.constraints.map((c) => c.constraintId).sort()).toEqual([
      'BuyerNotAssociated',
      'ChargeAmountNotSet',
      'CheckoutResultReturnUrlNotSet',
      'PaymentIntentNotSet',
    ]);
    const id = s.checkoutSessionId;
    const patched = await f.api('PATCH', `/v2/checkoutSessions/${id}`, {
      webCheckoutDetails: { checkoutResultReturnUrl: 'https://shop.example/result?x=1' },
      paymentDetails: { paymentIntent: 'Authorize', chargeAmount: { amount: '9.99', currencyCode: 'USD' } },
      merchantMetadata: { merchantReferenceId: 'o-9', merchantStoreName: 'Test Shop' },
    });
    expect(patched.status).toBe(200);
    const redirect = (patched.json<Json>().webCheckoutDetails as Json).amazonPayRedirectUrl as string;
    expect(redirect).toBe(`${f.emu.adminUrl}/amazon-page/${id}`);

    const page = await f.admin('GET', `/amazon-page/${id}`);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.text).toContain('Amazon Pay (emulator)');
    expect(page.text).toContain('9.99 USD');
    expect(page.text).toContain('Approve (pending)');

    const { rawRequest } = await import('../../helpers/emulator-signed-fetch');
    const posted = await rawRequest({
      method: 'POST',
      url: `${f.emu.adminUrl}/checkout-sessions/${id}/buyer`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'action=approve',
    });
    expect(posted.status).toBe(303);
    expect(posted.headers.location).toBe(`https://shop.example/result?x=1&amazonCheckoutSessionId=${id}`);
    const done = await complete(id, { chargeAmount: { amount: '9.99', currencyCode: 'USD' } });
    expect(done.status).toBe(200);
    const patchDone = await f.api('PATCH', `/v2/checkoutSessions/${id}`, { merchantMetadata: { noteToBuyer: 'x' } });
    expect(patchDone.json()).toMatchObject({ reasonCode: 'InvalidCheckoutSessionStatus' });
  });

  it('close charge permission cancels pending charges and notifies', async () => {
    const id = await f.approvedSession(
      { paymentIntent: 'Authorize', canHandlePendingAuthorization: true },
      { action: 'approve-pending' },
    );
    const s = (await complete(id)).json<Json>();
    const closed = await f.api('DELETE', `/v2/chargePermissions/${s.chargePermissionId}/close`, {
      closureReason: 'order canceled',
      cancelPendingCharges: true,
    });
    expect(closed.json()).toMatchObject({
      statusDetails: {
        state: 'Closed',
        reasons: [{ reasonCode: 'MerchantClosed', reasonDescription: 'order canceled' }],
      },
    });
    expect((await getCharge(s.chargeId!)).statusDetails).toMatchObject({
      state: 'Canceled',
      reasonCode: 'ChargePermissionCanceled',
    });
  });

  it('admin raw state and request log', async () => {
    const id = await f.approvedSession();
    await complete(id);
    const raw = (await f.admin('GET', `/checkout-sessions/${id}`)).json<{ record: Json; counters: Json }>();
    expect(raw.record).toMatchObject({ state: 'Completed', buyerAssociated: true });
    expect(raw.counters).toMatchObject({ completeCalls: 1, completeEffects: 1 });
    const log = (await f.admin('GET', `/log?checkoutSessionId=${id}`)).json<{ operation: string; status: number }[]>();
    expect(log.map((e) => [e.operation, e.status])).toEqual([['completeCheckoutSession', 200]]);
  });
});
