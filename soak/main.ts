// `npm run soak -- --sessions <n> [--seed <s>] [--minutes <m>] [--concurrency <c>] [--worker-kills <k>]
//   [--cluster] [--http-kills <k>] [--temporal-restarts <k>] [--store-restarts <k>] [--fault-rate <0..1>] [--webhook-fault-rate <0..1>]`
import { defaultSoakOptions, runSoak, type SoakOptions } from './run';

function parse(argv: string[]): SoakOptions {
  const o = { ...defaultSoakOptions };
  const flags: Record<string, keyof SoakOptions> = {
    '--sessions': 'sessions',
    '--seed': 'seed',
    '--minutes': 'minutes',
    '--concurrency': 'concurrency',
    '--worker-kills': 'workerKills',
    '--http-kills': 'httpKills',
    '--temporal-restarts': 'temporalRestarts',
    '--store-restarts': 'storeRestarts',
    '--fault-rate': 'faultRate',
    '--webhook-fault-rate': 'webhookFaultRate',
  };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--cluster') {
      // Temporal's production shape; its two "temporal" restarts are the history service, then the frontend.
      o.cluster = true;
      if (!argv.includes('--temporal-restarts')) o.temporalRestarts = 2;
      continue;
    }
    const key = flags[argv[i]!];
    const value = Number(argv[i + 1]);
    if (!key || !Number.isFinite(value) || value < 0) {
      process.stderr.write(`usage: npm run soak -- [--cluster] ${Object.keys(flags).map((f) => `[${f} <n>]`).join(' ')}\n`);
      process.exit(2);
    }
    (o as Record<string, unknown>)[key] = value;
    i++;
  }
  return o;
}

void (async () => {
  const opts = parse(process.argv.slice(2));
  const r = await runSoak(opts);
  const out = (l: string) => process.stdout.write(`${l}\n`);
  out('');
  out(`soak seed=${opts.seed}: ${r.sessions} sessions in ${r.durationS} s, ${r.apiCalls} Amazon Pay API calls`);
  out(`  mix:      ${Object.entries(r.byPlan).sort().map(([k, v]) => `${k} ${v}`).join(', ')}`);
  const failed = Object.values(r.faults).reduce((a, b) => a + b, 0);
  out(`  faults:   ${failed} of ${r.apiCalls} Amazon Pay calls failed (${((100 * failed) / Math.max(1, r.apiCalls)).toFixed(1)} %): ${Object.entries(r.faults).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}`);
  const w = r.webhooks;
  out(`  recovery: ${r.recovered} lost returns completed by recovery`);
  out(`  webhooks: ${w.finalEvents} final + ${w.pendingEvents} pending events kept, ${w.deliveries} deliveries accepted (${w.duplicateDeliveries} repeats of a kept ID), receiver faults ${Object.entries(w.faults).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}, bad signatures ${w.badSignatures}`);
  out(`  kills:    worker ${r.kills.worker}, http server ${r.kills.http}; restarts: temporal ${r.restarts.temporal}, store ${r.restarts.store}`);
  out(`  violations: ${r.violations.length}`);
  for (const v of r.violations.slice(0, 50)) out(`    ${v.session} (${v.workflowId}): ${v.problem}${v.files.length ? ` → ${v.files.join(', ')}` : ''}`);
  process.exit(r.violations.length === 0 ? 0 : 1);
})().catch((err: unknown) => {
  process.stderr.write(`soak failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
