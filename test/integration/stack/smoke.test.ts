// Proves the stack is real: a workflow runs on the Temporal dev server and its fetched history replays; documents
// round-trip through the official mongodb driver against the store, which enforces unique _id with code 11000.
import { Client, Connection } from '@temporalio/client';
import { historyFromJSON, historyToJSON } from '@temporalio/common/lib/proto-utils';
import { NativeConnection, Runtime, DefaultLogger, Worker } from '@temporalio/worker';
import { MongoClient, MongoServerError } from 'mongodb';
import { testStack, uniqueId } from '../../helpers/env';

Runtime.install({ logger: new DefaultLogger('WARN') });

describe('local stack smoke', () => {
  const stack = testStack();

  it('runs a workflow with one activity on the dev server and replays its fetched history', async () => {
    const connection = await NativeConnection.connect({ address: stack.temporalAddress });
    const clientConnection = await Connection.connect({ address: stack.temporalAddress });
    const client = new Client({ connection: clientConnection, namespace: stack.namespace });
    const taskQueue = uniqueId('smoke');
    const workflowsPath = require.resolve('./smoke-workflows');
    try {
      const worker = await Worker.create({
        connection,
        namespace: stack.namespace,
        taskQueue,
        workflowsPath,
        activities: { greet: async (name: string) => `hello ${name}` },
      });
      const workflowId = uniqueId('smoke-wf');
      const result = await worker.runUntil(
        client.workflow.execute('smokeWorkflow', { taskQueue, workflowId, args: ['stack'] }),
      );
      expect(result).toBe('hello stack!');

      const history = await client.workflow.getHandle(workflowId).fetchHistory();
      const types = history.events!.map((e) => e.eventType);
      expect(types.length).toBeGreaterThanOrEqual(11); // started … activity scheduled/started/completed … completed
      const json: unknown = JSON.parse(historyToJSON(history));
      await expect(Worker.runReplayHistory({ workflowsPath }, historyFromJSON(json), workflowId)).resolves.toBeUndefined();
    } finally {
      await clientConnection.close();
      await connection.close();
    }
  });

  it('round-trips a document through the mongodb driver and rejects a duplicate _id with 11000', async () => {
    const client = new MongoClient(stack.mongodbUri);
    const db = client.db(uniqueId('smoke').replace(/[^a-zA-Z0-9_-]/g, '_').slice(0, 60));
    try {
      const coll = db.collection<{ _id: string; amount: string; minor: number; at: Date; nested: { k: string } }>('docs');
      const doc = { _id: 'session-1', amount: '14.00', minor: 1400, at: new Date('2026-01-02T03:04:05.000Z'), nested: { k: 'v' } };
      await coll.insertOne(doc);
      expect(await coll.findOne({ _id: 'session-1' })).toEqual(doc);
      const dup = await coll.insertOne({ ...doc, amount: '15.00' }).catch((e: unknown) => e);
      expect(dup).toBeInstanceOf(MongoServerError);
      expect((dup as MongoServerError).code).toBe(11000);
      expect((await coll.findOne({ _id: 'session-1' }))?.amount).toBe('14.00');
    } finally {
      await db.dropDatabase().catch(() => undefined);
      await client.close();
    }
  });
});
