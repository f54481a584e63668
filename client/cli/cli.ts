// The operator CLI: argument parsing (node:util parseArgs), help, exit codes and the commands. Arguments are checked
// before any connection is made, so a typo answers at once and `--help` needs no configuration.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  type Client,
  type Connection,
  WorkflowFailedError,
  WorkflowNotFoundError,
  type WorkflowExecutionDescription,
  type WorkflowExecutionInfo,
} from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { MongoClient } from 'mongodb';
import { CheckoutRecords, type CheckoutSessionDoc } from '../../records/checkout-sessions';
import { storedWebhookEvent, webhookBody, webhookBuyer } from '../../activities/webhooks/body';
import { deliverWebhookOnce, deliveryRecord } from '../../activities/webhooks/deliver';
import {
  CheckoutConflictError,
  WORKFLOW_TYPE,
  deliverCancel,
  queryStatus,
  recordingStart,
  startCheckout,
} from '../temporal/checkout';
import { connectClient } from '../temporal/connection';
import {
  CheckoutSessionIdKey,
  CheckoutState,
  CheckoutStateKey,
  checkoutWorkflowId,
  sessionIdFromWorkflowId,
  type CheckoutOutcome,
  type CheckoutStatus,
} from '../../workflows/checkout-session';
import { listArgs, readStartInput, sessionIdArg } from './args';
import { ConfigError, loadCliConfig, type CliConfig } from './config';
import { CliError, EXIT } from './errors';
import { formatList, formatStatus, shownRecord, workflowSummary, type ListedSession, type StatusReport } from './format';

export { CliError, EXIT } from './errors';

export interface Io {
  out(text: string): void;
  err(text: string): void;
}

interface Ctx {
  config: Readonly<CliConfig>;
  connection: Connection;
  client: Client;
  io: Io;
}

/** How long a query may wait for a worker: a closed workflow with no worker polling would otherwise hang. */
const QUERY_DEADLINE_MS = 10_000;
const MONGODB_TIMEOUT_MS = 5_000;

const EXIT_CODES_HELP = `Exit codes: 0 ok, 1 unexpected error, 2 invalid arguments, input or configuration,
3 conflict (start: different request for the session; cancel: session already ended; resend-webhook: no webhook
event recorded yet), 4 unknown session.`;

const ENV_HELP = `Environment: TEMPORAL_ADDRESS (127.0.0.1:7233), TEMPORAL_NAMESPACE (default), TEMPORAL_API_KEY,
TEMPORAL_TLS (false), TASK_QUEUE (checkout-sessions), MONGODB_URI (optional), MONGODB_DB (checkout),
PAYLOAD_CODEC_KEYS / PAYLOAD_CODEC_KEYS_FILE / PAYLOAD_CODEC_CURRENT_KEY_ID (the worker's payload codec keys),
MERCHANT_WEBHOOK_URL / MERCHANT_WEBHOOK_SECRET / MERCHANT_WEBHOOK_SECRET_PREVIOUS / MERCHANT_WEBHOOK_TIMEOUT_MS (10000)
/ MERCHANT_WEBHOOK_INCLUDE_BUYER (false) (the worker's webhook settings, for resend-webhook).`;

interface Command {
  summary: string;
  usage: string;
  help: string;
  options: NonNullable<Parameters<typeof parseArgs>[0]>['options'];
  positionals: number;
  run(ctx: Ctx, values: Record<string, string | boolean | undefined>, positionals: string[]): Promise<number>;
  /** Checks arguments that need no server, before connecting. */
  check?(values: Record<string, string | boolean | undefined>, positionals: string[]): void;
  /** Checks the configuration the command needs beyond the common one, before connecting. */
  checkConfig?(config: Readonly<CliConfig>): void;
}

const help = { help: { type: 'boolean', short: 'h' } } as const;

const COMMANDS: Record<string, Command> = {
  start: {
    summary: 'start the workflow of a checkout session',
    usage: 'checkout start (--file <input.json> | --json <json>)',
    help: `Validates the checkout input (workflows/checkout-session/input.ts) and starts the session's workflow on
TASK_QUEUE. Prints {"workflowId","runId","created"}: created is false when the same input already started it.
The same session with a different input is a conflict (exit 3); invalid input lists every problem (exit 2).`,
    options: { ...help, file: { type: 'string', short: 'f' }, json: { type: 'string' } },
    positionals: 0,
    check: (v) => void readStartInput(v),
    async run(ctx, v) {
      const raw = readStartInput(v);
      try {
        // With MONGODB_URI the session's record is written before the start, as the HTTP server does.
        const r = await withRecords(ctx.config, (records) =>
          startCheckout(ctx.client, raw, ctx.config.taskQueue, records ? recordingStart(records) : {}),
        );
        const runId = r.runId ?? (await ctx.client.workflow.getHandle(r.workflowId).describe()).runId;
        ctx.io.out(JSON.stringify({ workflowId: r.workflowId, runId, created: r.created }));
        return EXIT.ok;
      } catch (err) {
        if (err instanceof CheckoutConflictError) {
          throw new CliError(`conflict: ${err.message}; a session's workflow is never reused, so start is refused`, EXIT.conflict);
        }
        throw err;
      }
    },
  },

  status: {
    summary: 'show the live status of a session and its MongoDB record',
    usage: 'checkout status <checkoutSessionId> [--json] [--show-buyer]',
    help: `Shows the workflow (status, times), its live state from the "status" query (or its result once closed)
and, when MONGODB_URI is set, the session's MongoDB record. Buyer data (name, email, addresses, payment
descriptor) is left out unless --show-buyer is given. Unknown session: exit 4.`,
    options: { ...help, json: { type: 'boolean' }, 'show-buyer': { type: 'boolean' } },
    positionals: 1,
    check: (_v, p) => void sessionIdArg(p),
    async run(ctx, v, p) {
      const report = await statusReport(ctx, sessionIdArg(p), v['show-buyer'] === true);
      ctx.io.out(v.json ? JSON.stringify(report, null, 2) : formatStatus(report));
      return EXIT.ok;
    },
  },

  list: {
    summary: 'list checkout sessions from Temporal visibility',
    usage: 'checkout list [--state <CheckoutState>] [--limit <n>] [--json]',
    help: `Lists workflows of type ${WORKFLOW_TYPE} through Temporal visibility (search attribute ${CheckoutStateKey.name}),
newest first as the server orders them. Visibility is eventually consistent: a change shows up within a second or so.
--state is one of: ${CheckoutState.options.join(', ')}. --limit defaults to 20 (at most 1000).`,
    options: { ...help, state: { type: 'string', short: 's' }, limit: { type: 'string', short: 'n' }, json: { type: 'boolean' } },
    positionals: 0,
    check: (v) => void listArgs(v),
    async run(ctx, v) {
      const { state, limit } = listArgs(v);
      const query = [`WorkflowType = '${WORKFLOW_TYPE}'`, ...(state ? [`${CheckoutStateKey.name} = '${state}'`] : [])].join(' AND ');
      const rows: ListedSession[] = [];
      for await (const w of ctx.client.workflow.list({ query, pageSize: Math.min(limit, 100) })) {
        rows.push(listedSession(w));
        if (rows.length >= limit) break;
      }
      ctx.io.out(v.json ? JSON.stringify(rows, null, 2) : formatList(rows));
      return EXIT.ok;
    },
  },

  history: {
    summary: "write a session's workflow history as replayable JSON",
    usage: 'checkout history <checkoutSessionId> [--out <file>]',
    help: `Fetches the event history of the session's workflow and writes it as JSON that Worker.runReplayHistory
accepts (the same format as test/replay/histories), with the workflow ID alongside the events: replay it under that
ID (the workflow checks that its ID matches the session). Payloads stay as stored, encrypted when the worker uses
payload codec keys. Without --out the JSON goes to stdout. Unknown session: exit 4.`,
    options: { ...help, out: { type: 'string', short: 'o' } },
    positionals: 1,
    check: (_v, p) => void sessionIdArg(p),
    async run(ctx, v, p) {
      const id = sessionIdArg(p);
      const workflowId = checkoutWorkflowId(id);
      let history;
      try {
        history = await ctx.client.workflow.getHandle(workflowId).fetchHistory();
      } catch (err) {
        if (isNotFound(err)) throw unknownSession(ctx, id);
        throw err;
      }
      const json = `${JSON.stringify({ workflowId, ...(JSON.parse(historyToJSON(history)) as object) }, null, 1)}\n`;
      if (typeof v.out === 'string') {
        // Without codec keys the payloads hold buyer data in plain JSON: owner-only.
        writeFileSync(v.out, json, { mode: 0o600 });
        ctx.io.err(`wrote ${history.events?.length ?? 0} events of ${workflowId} to ${v.out}`);
      } else {
        ctx.io.out(json.trimEnd());
      }
      return EXIT.ok;
    },
  },

  cancel: {
    summary: 'cancel a session still waiting for the buyer (cancelCheckout update)',
    usage: 'checkout cancel <checkoutSessionId>',
    help: `Cancels as the cancel URL does, and says what became true. The workflow applies the cancel only while the
session is AwaitingReturn (it then ends as BuyerCanceled, recorded before the answer); once the buyer has returned
the session runs to its own outcome and the command says so (exit 3). Unknown session: exit 4; session already
ended: exit 3.`,
    options: help,
    positionals: 1,
    check: (_v, p) => void sessionIdArg(p),
    async run(ctx, _v, p) {
      const id = sessionIdArg(p);
      const d = await describe(ctx, id);
      if (!d) throw unknownSession(ctx, id);
      if (d.status.name !== 'RUNNING') {
        const state = d.typedSearchAttributes.get(CheckoutStateKey) ?? d.status.name;
        throw new CliError(`checkout session ${id} already ended (${state}): nothing to cancel`, EXIT.conflict);
      }
      const r = await deliverCancel(ctx.client, id);
      if (r.kind === 'unknown-session') throw unknownSession(ctx, id);
      if (r.kind === 'timeout') {
        ctx.io.out(`cancel sent to ${d.workflowId}; no answer yet (is a worker running?) — check with: checkout status ${id}`);
        return EXIT.ok;
      }
      if (r.outcome.state !== 'BuyerCanceled') {
        throw new CliError(`checkout session ${id} was not canceled: the buyer had already returned (state ${r.outcome.state})`, EXIT.conflict);
      }
      ctx.io.out(`canceled ${d.workflowId}: BuyerCanceled (recorded)`);
      return EXIT.ok;
    },
  },

  'resend-webhook': {
    summary: "send a session's last merchant webhook again, with the same event ID",
    usage: 'checkout resend-webhook <checkoutSessionId>',
    help: `Reads the event of the session's last merchant webhook from its MongoDB record (webhook.lastEvent), signs it
with MERCHANT_WEBHOOK_SECRET (and MERCHANT_WEBHOOK_SECRET_PREVIOUS) and POSTs it once to MERCHANT_WEBHOOK_URL with
the same Checkout-Event-Id, so a receiver that already has the event can drop it. Buyer data is added only with
MERCHANT_WEBHOOK_INCLUDE_BUYER=true, as the worker does. The result is recorded on the session (webhook.state:
delivered, rejected or failed). Needs MONGODB_URI and MERCHANT_WEBHOOK_URL (exit 2 without). Unknown session: exit 4;
no webhook event recorded yet: exit 3; rejected (4xx) or failed (408, 429, 5xx, network, timeout): exit 1.`,
    options: help,
    positionals: 1,
    check: (_v, p) => void sessionIdArg(p),
    checkConfig: (c) => void resendConfig(c),
    run: (ctx, _v, p) => resendWebhook(ctx, sessionIdArg(p)),
  },
};

function resendConfig(c: Readonly<CliConfig>): { mongodb: NonNullable<CliConfig['mongodb']>; cfg: CliConfig['webhook'] & { url: string } } {
  const problems = [
    ...(c.mongodb ? [] : ['resend-webhook needs MONGODB_URI: the event to send again is in the session record']),
    ...(c.webhook.url ? [] : ['resend-webhook needs MERCHANT_WEBHOOK_URL (and MERCHANT_WEBHOOK_SECRET): nowhere to send the webhook']),
  ];
  if (problems.length > 0) throw new CliError(problems.join('\n'), EXIT.usage);
  return { mongodb: c.mongodb!, cfg: c.webhook as CliConfig['webhook'] & { url: string } };
}

async function resendWebhook(ctx: Ctx, id: string): Promise<number> {
  const { mongodb, cfg } = resendConfig(ctx.config);
  const mongo = new MongoClient(mongodb.uri, { serverSelectionTimeoutMS: MONGODB_TIMEOUT_MS, appName: 'checkout-cli' });
  try {
    await mongo.connect();
    const records = new CheckoutRecords(mongo.db(mongodb.db));
    const doc = await records.get(id);
    if (!doc) throw new CliError(`unknown checkout session ${id}: no record in MongoDB database ${mongodb.db}`, EXIT.unknown);
    const stored = doc.webhook;
    if (!stored?.lastEvent) throw new CliError(`checkout session ${id} has no webhook event recorded yet: nothing to resend`, EXIT.conflict);
    const event = storedWebhookEvent(stored.lastEvent);
    if (!event) throw new CliError(`checkout session ${id}: the recorded webhook event ${stored.lastEventId} is malformed`, EXIT.failure);

    const body = webhookBody(event, cfg.includeBuyer ? webhookBuyer(doc) : undefined);
    const attempt = await deliverWebhookOnce({ url: cfg.url, secrets: cfg.secrets, timeoutMs: cfg.timeoutMs }, body, event.eventId);
    const now = new Date();
    const attempts = (stored.lastEventId === event.eventId ? stored.attempts : 0) + 1;
    const rec = deliveryRecord(event, attempt, attempts, now);
    // Nothing retries a resend: a retryable answer ends it as failed.
    const written = await records.setWebhookDelivery(id, { ...rec, state: rec.state === 'retrying' ? 'failed' : rec.state, resentAt: now });
    if (!written.written) {
      const why = written.reason === 'older-event' ? 'a newer webhook event was recorded meanwhile' : 'the session record is gone';
      ctx.io.err(`warning: result not recorded: ${why}`);
    }

    const what = `${event.eventId} (${event.type})`;
    if (attempt.kind === 'delivered') {
      ctx.io.out(`resent ${what}: delivered, HTTP ${attempt.httpStatus}`);
      return EXIT.ok;
    }
    const retryAfter = attempt.kind === 'retryable' && attempt.retryAfterMs !== undefined ? `; retry after ${Math.ceil(attempt.retryAfterMs / 1000)} s` : '';
    throw new CliError(`resend of ${what} ${attempt.kind === 'rejected' ? 'rejected' : 'failed'}: ${attempt.error}${retryAfter}`, EXIT.failure);
  } finally {
    await mongo.close();
  }
}

function topHelp(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  return [
    'Operator CLI for checkout sessions (one Temporal workflow per Amazon Pay checkout session).',
    '',
    'Usage: checkout <command> [options]      checkout <command> --help',
    '',
    'Commands:',
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    '',
    EXIT_CODES_HELP,
    '',
    ENV_HELP,
  ].join('\n');
}

function commandHelp(c: Command): string {
  return [`Usage: ${c.usage}`, '', c.help, '', EXIT_CODES_HELP, '', ENV_HELP].join('\n');
}

function listedSession(w: WorkflowExecutionInfo): ListedSession {
  return {
    checkoutSessionId: w.typedSearchAttributes.get(CheckoutSessionIdKey) ?? sessionIdFromWorkflowId(w.workflowId) ?? w.workflowId,
    state: w.typedSearchAttributes.get(CheckoutStateKey) ?? null,
    workflowStatus: w.status.name,
    startTime: w.startTime.toISOString(),
    ...(w.closeTime ? { closeTime: w.closeTime.toISOString() } : {}),
    workflowId: w.workflowId,
  };
}

function isNotFound(err: unknown): boolean {
  return err instanceof WorkflowNotFoundError || (err as { code?: number } | undefined)?.code === 5;
}

function unknownSession(ctx: Ctx, id: string): CliError {
  return new CliError(
    `unknown checkout session ${id}: no workflow ${checkoutWorkflowId(id)} in namespace ${ctx.config.temporal.namespace}`,
    EXIT.unknown,
  );
}

async function describe(ctx: Ctx, id: string): Promise<WorkflowExecutionDescription | undefined> {
  try {
    return await ctx.client.workflow.getHandle(checkoutWorkflowId(id)).describe();
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

function liveStatus(ctx: Ctx, id: string): Promise<CheckoutStatus | undefined> {
  return ctx.connection.withDeadline(Date.now() + QUERY_DEADLINE_MS, () => queryStatus(ctx.client, id));
}

/** Runs `fn` with the records when MONGODB_URI is configured (else with null), closing the connection after. */
async function withRecords<T>(config: Readonly<CliConfig>, fn: (records: CheckoutRecords | null) => Promise<T>): Promise<T> {
  if (!config.mongodb) return fn(null);
  const mongo = new MongoClient(config.mongodb.uri, { serverSelectionTimeoutMS: MONGODB_TIMEOUT_MS, appName: 'checkout-cli' });
  try {
    await mongo.connect();
    return await fn(new CheckoutRecords(mongo.db(config.mongodb.db)));
  } finally {
    await mongo.close();
  }
}

const readRecord = (config: Readonly<CliConfig>, id: string): Promise<CheckoutSessionDoc | null> => withRecords(config, async (r) => (r ? r.get(id) : null));

const reason = (err: unknown) => (err as Error)?.message ?? String(err);

async function statusReport(ctx: Ctx, id: string, showBuyer: boolean): Promise<StatusReport> {
  const warnings: string[] = [];
  const [described, doc] = await Promise.all([
    describe(ctx, id),
    readRecord(ctx.config, id).catch((err: unknown) => {
      warnings.push(`MongoDB record unavailable: ${reason(err)}`);
      return null;
    }),
  ]);
  if (!described && !doc) throw unknownSession(ctx, id);
  if (!ctx.config.mongodb) warnings.push('MONGODB_URI is not set: the MongoDB record is not shown');

  let status: CheckoutStatus | null = null;
  let outcome: CheckoutOutcome | null = null;
  if (described) {
    try {
      status = (await liveStatus(ctx, id)) ?? null;
    } catch (err) {
      warnings.push(`status query failed: ${reason(err)}`);
    }
    if (described.status.name !== 'RUNNING') {
      try {
        outcome = (await ctx.client.workflow.getHandle(described.workflowId).result()) as CheckoutOutcome;
      } catch (err) {
        const cause = err instanceof WorkflowFailedError && err.cause ? `: ${err.cause.message}` : '';
        warnings.push(`workflow ${described.status.name.toLowerCase()} without an outcome${cause || `: ${reason(err)}`}`);
      }
    }
  }
  return {
    checkoutSessionId: id,
    workflow: described ? workflowSummary(described) : null,
    status,
    outcome,
    record: doc ? shownRecord(doc, showBuyer) : null,
    warnings,
  };
}

/** Runs one CLI invocation and returns its exit code; only unexpected errors escape as exit 1 with a message. */
export async function runCli(argv: string[], io: Io, env?: NodeJS.ProcessEnv): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const c = rest[0] !== undefined ? COMMANDS[rest[0]] : undefined;
    if (name === 'help' && rest[0] !== undefined && !c) {
      io.err(`unknown command ${JSON.stringify(rest[0])}\n\n${topHelp()}`);
      return EXIT.usage;
    }
    if (name === undefined) {
      io.err(topHelp());
      return EXIT.usage;
    }
    io.out(c ? commandHelp(c) : topHelp());
    return EXIT.ok;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) {
    io.err(`unknown command ${JSON.stringify(name)}\n\n${topHelp()}`);
    return EXIT.usage;
  }

  let values: Record<string, string | boolean | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args: rest, options: command.options, allowPositionals: true, strict: true }) as {
      values: Record<string, string | boolean | undefined>;
      positionals: string[];
    });
    if (values.help) {
      io.out(commandHelp(command));
      return EXIT.ok;
    }
    if (positionals.length !== command.positionals) {
      throw new CliError(`expected ${command.positionals} argument${command.positionals === 1 ? '' : 's'}, got ${positionals.length}`, EXIT.usage);
    }
    command.check?.(values, positionals);
  } catch (err) {
    const message = err instanceof CliError ? err.message : reason(err);
    io.err(`${message}\n\nUsage: ${command.usage}   (checkout ${name} --help)`);
    return EXIT.usage;
  }

  let config: Readonly<CliConfig>;
  try {
    config = loadCliConfig(env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    io.err(err.message);
    return EXIT.usage;
  }
  try {
    command.checkConfig?.(config);
  } catch (err) {
    if (!(err instanceof CliError)) throw err;
    io.err(err.message);
    return err.exitCode;
  }

  let connection: Connection | undefined;
  try {
    const c = await connectClient(config.temporal, config.dataConverter);
    connection = c.connection;
    return await command.run({ config, connection: c.connection, client: c.client, io }, values, positionals);
  } catch (err) {
    if (err instanceof CliError) {
      io.err(err.message);
      return err.exitCode;
    }
    io.err(`checkout ${name} failed: ${reason(err)}`);
    return EXIT.failure;
  } finally {
    await connection?.close();
  }
}
