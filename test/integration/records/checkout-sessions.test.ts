// The records module against the real MongoDB-wire store: seq-guarded, idempotent, ordered writes.
import { MongoClient, type Db } from 'mongodb';
import { CheckoutRecords } from '../../../records/checkout-sessions';
import { testStack, uniqueId } from '../../helpers/env';

let mongo: MongoClient;
let db: Db;
let records: CheckoutRecords;

beforeAll(async () => {
  mongo = await MongoClient.connect(testStack().mongodbUri);
  db = mongo.db(uniqueId('rec').replace(/[^a-zA-Z0-9_-]/g, '_').slice(-60));
  records = new CheckoutRecords(db);
  await records.ensureIndexes();
});
afterAll(async () => {
  await db.dropDatabase();
  await mongo.close();
});

const step = (seq: number) => ({ seq, workflowId: 'checkout-session-s1', runId: 'run-1', at: new Date(Date.UTC(2026, 10, 23, 12, 0, seq)).toISOString() });

describe('checkout records', () => {
  it('guards steps by reading first on the local store (FerretDB), which pushes down only `{_id}` filters', async () => {
    expect(await records.seqGuard()).toBe('read-then-write');
  });

  it('the local store finds sessions by `_id` through its index, not by scanning the collection (FerretDB patched at build)', async () => {
    await records.reserve(uniqueId('s'), 'checkout-session-x');
    const plan = (await db.command({ explain: { find: 'checkoutSessions', filter: { _id: 'never-started' } } })) as {
      queryPlanner?: { Plan?: string[] };
    };
    const lines = plan.queryPlanner?.Plan ?? [];
    expect(lines.join('\n')).toMatch(/SEARCH \S+ USING INDEX/);
    expect(lines.join('\n')).not.toMatch(/\bSCAN\b/);
  });

  it.each(['atomic', 'read-then-write'] as const)('%s guard: creates the session with money in decimal and minor units, then applies each step once', async (guard) => {
    const records = new CheckoutRecords(db, { seqGuard: guard });
    const id = uniqueId('s');
    expect(
      await records.applyStep({
        checkoutSessionId: id,
        step: step(1),
        event: { type: 'Created' },
        set: { state: 'AwaitingReturn', chargeAmount: { amount: '1500', currencyCode: 'JPY' }, deadline: '2026-11-24T12:00:00Z' },
      }),
    ).toEqual({ applied: true });
    const doc = await records.get(id);
    expect(doc).toMatchObject({ _id: id, state: 'AwaitingReturn', seq: 1, chargeAmount: { amount: '1500', currencyCode: 'JPY', minor: 1500 } });
    expect(doc?.deadline).toEqual(new Date('2026-11-24T12:00:00Z'));
    expect(doc?.createdAt).toEqual(new Date(step(1).at));

    const completed = { checkoutSessionId: id, step: step(2), event: { type: 'Completed' as const }, set: { state: 'Completed' as const } };
    expect(await records.applyStep(completed)).toEqual({ applied: true });
    // A retried or replayed step is a no-op, and so is an older one arriving late.
    expect(await records.applyStep(completed)).toEqual({ applied: false });
    expect(await records.applyStep({ checkoutSessionId: id, step: step(1), event: { type: 'Created' }, set: { state: 'AwaitingReturn' } })).toEqual({
      applied: false,
    });
    expect((await records.get(id))?.state).toBe('Completed');
    expect((await records.timeline(id)).map((e) => [e._id, e.type])).toEqual([
      [`${id}:1`, 'Created'],
      [`${id}:2`, 'Completed'],
    ]);
  });

  it.each(['atomic', 'read-then-write'] as const)('%s guard: an IPN finds the session by its charge or charge permission, through _id-keyed refs', async (guard) => {
    const records = new CheckoutRecords(db, { seqGuard: guard });
    const id = uniqueId('s');
    const [chargeId, chargePermissionId] = [`${id}-C01`, `${id}-P`];
    await records.applyStep({ checkoutSessionId: id, step: step(1), event: { type: 'Created' }, set: { state: 'AwaitingReturn' } });
    expect(await records.findByCharge(chargeId, chargePermissionId)).toBeNull();
    await records.applyStep(
      { checkoutSessionId: id, step: step(2), event: { type: 'Completed' }, set: { state: 'Completed' } },
      { chargeId, chargePermissionId },
    );
    expect(await records.findByCharge(chargeId)).toEqual({ _id: id, state: 'Completed' });
    expect(await records.findByCharge(`${id}-C99`, chargePermissionId)).toEqual({ _id: id, state: 'Completed' });
    expect(await records.findByCharge(`${id}-C99`, `${id}-P99`)).toBeNull();
    // A retried step writes no second ref.
    await records.applyStep(
      { checkoutSessionId: id, step: step(2), event: { type: 'Completed' }, set: { state: 'Completed' } },
      { chargeId, chargePermissionId },
    );
    expect(await records.chargeRefs.countDocuments({ checkoutSessionId: id })).toBe(2);
  });

  it('read-then-write guard: an attempt given up after its read (its timeout) does not write, so no later step is undone', async () => {
    const records = new CheckoutRecords(db, { seqGuard: 'read-then-write' });
    const id = uniqueId('s');
    await records.applyStep({ checkoutSessionId: id, step: step(1), event: { type: 'Created' }, set: { state: 'AwaitingReturn' } });
    const givenUp = new AbortController();
    givenUp.abort(new Error('local activity attempt timed out'));
    await expect(
      records.applyStep({ checkoutSessionId: id, step: step(2), event: { type: 'Completed' }, set: { state: 'Completed' } }, {}, { signal: givenUp.signal }),
    ).rejects.toThrow('timed out');
    expect(await records.get(id)).toMatchObject({ seq: 1, state: 'AwaitingReturn' });
    expect((await records.timeline(id)).map((e) => e.type)).toEqual(['Created']);
    // The retry, with a live attempt, applies it.
    expect(await records.applyStep({ checkoutSessionId: id, step: step(2), event: { type: 'Completed' }, set: { state: 'Completed' } }, {}, { signal: new AbortController().signal })).toEqual({ applied: true });
    expect(await records.get(id)).toMatchObject({ seq: 2, state: 'Completed' });
  });

  it('stores buyer data given by the Amazon Pay activities next to the workflow fields', async () => {
    const id = uniqueId('s');
    await records.applyStep(
      { checkoutSessionId: id, step: step(3), event: { type: 'Completed' }, set: { state: 'Completed' } },
      { chargeId: 'S01-1-1-C1', buyer: { name: 'Susie Smith' }, paymentDescriptor: 'Visa (1111)' },
    );
    expect(await records.get(id)).toMatchObject({ chargeId: 'S01-1-1-C1', buyer: { name: 'Susie Smith' }, paymentDescriptor: 'Visa (1111)' });
  });

  it('creates its indexes idempotently and lists sessions by state', async () => {
    await records.ensureIndexes();
    await records.ensureIndexes();
    const names = (await records.sessions.indexes()).map((i) => i.name);
    expect(names).toEqual(expect.arrayContaining(['state_updatedAt', 'merchantReferenceId', 'deadline', 'chargeId', 'chargePermissionId']));
    const listed = await records.list({ state: 'Completed' });
    expect(listed.length).toBeGreaterThanOrEqual(2);
    expect(listed.every((d) => d.state === 'Completed')).toBe(true);
  });

  it('rejects an amount that is not a decimal string for its currency', async () => {
    await expect(
      records.applyStep({ checkoutSessionId: uniqueId('s'), step: step(1), event: { type: 'Created' }, set: { chargeAmount: { amount: '1.5', currencyCode: 'JPY' } } }),
    ).rejects.toThrow();
  });
});
