// Replay fixtures: integration tests export the history of each branch they drive when UPDATE_HISTORIES=1.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';

export const HISTORIES_DIR = join(__dirname, '../replay/histories');

export async function maybeSaveHistory(client: Client, workflowId: string, name: string): Promise<void> {
  if (process.env.UPDATE_HISTORIES !== '1') return;
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  mkdirSync(HISTORIES_DIR, { recursive: true });
  // The workflow ID travels with the events: the workflow checks that it matches the session it serves.
  const fixture = { workflowId, ...(JSON.parse(historyToJSON(history)) as object) };
  writeFileSync(join(HISTORIES_DIR, `${name}.json`), `${JSON.stringify(fixture, null, 1)}\n`);
}
