// Everything the CLI decides before it connects: help, usage errors, input validation and configuration.
import { EXIT, runCli } from '../../../client/cli/cli';

async function run(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (t) => out.push(t), err: (t) => err.push(t) }, env);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('CLI arguments', () => {
  it.each(['start', 'status', 'list', 'history', 'cancel'])('%s --help prints its usage, exit codes and environment', async (c) => {
    for (const argv of [[c, '--help'], [c, '-h'], ['help', c]]) {
      const r = await run(argv, { TEMPORAL_TLS: 'invalid: help needs no configuration' });
      expect(r.code).toBe(EXIT.ok);
      expect(r.out).toMatch(new RegExp(`^Usage: checkout ${c}`));
      expect(r.out).toMatch(/Exit codes: [\s\S]*4 unknown session/);
      expect(r.out).toMatch(/TEMPORAL_ADDRESS/);
    }
  });

  it('lists the commands; no command or an unknown one is a usage error', async () => {
    expect((await run(['--help'])).out).toMatch(/Commands:\n {2}start[\s\S]*cancel/);
    expect((await run([])).code).toBe(EXIT.usage);
    const r = await run(['frobnicate']);
    expect(r).toMatchObject({ code: EXIT.usage, err: expect.stringMatching(/^unknown command "frobnicate"/) });
  });

  it('rejects unknown options, missing or extra arguments and bad session IDs', async () => {
    expect((await run(['status', 'a', '--verbose'])).err).toMatch(/Unknown option '--verbose'/);
    expect((await run(['status'])).err).toMatch(/expected 1 argument, got 0/);
    expect((await run(['cancel', 'a', 'b'])).code).toBe(EXIT.usage);
    expect((await run(['history', 'a/b'])).err).toMatch(/invalid checkoutSessionId "a\/b"/);
  });

  it('validates --state against the CheckoutState enum and --limit, both at once', async () => {
    const r = await run(['list', '--state', 'completed', '--limit', '0']);
    expect(r.code).toBe(EXIT.usage);
    expect(r.err).toMatch(/--state "completed" is not a CheckoutState; one of: AwaitingReturn, Finalizing, AuthorizationPending, Completed, Declined, BuyerCanceled, Expired, Failed/);
    expect(r.err).toMatch(/--limit "0" must be an integer from 1 to 1000/);
  });

  it('start: needs exactly one input; invalid JSON or input lists the problems', async () => {
    expect((await run(['start'])).err).toMatch(/exactly one of --file/);
    expect((await run(['start', '--file', 'a.json', '--json', '{}'])).err).toMatch(/exactly one of --file/);
    expect((await run(['start', '--file', '/nonexistent/input.json'])).err).toMatch(/cannot read \/nonexistent\/input.json: ENOENT/);
    expect((await run(['start', '--json', '{'])).err).toMatch(/--json is not valid JSON/);
    const r = await run(['start', '--json', JSON.stringify({ checkoutSessionId: 'a', flow: 'finalize', chargeAmount: { amount: '1', currencyCode: 'USD' }, deadline: '2030-01-01T00:00:00Z' })]);
    expect(r.code).toBe(EXIT.usage);
    expect(r.err).toMatch(/invalid checkout input:[\s\S]*required for finalize[\s\S]*at paymentIntent[\s\S]*shippingAddress/);
  });

  it('reports invalid configuration once arguments are valid, with exit 2', async () => {
    const r = await run(['status', 'abc'], { TEMPORAL_TLS: 'maybe', MONGODB_URI: 'http://db' });
    expect(r.code).toBe(EXIT.usage);
    expect(r.err).toMatch(/CLI configuration is invalid[\s\S]*TEMPORAL_TLS[\s\S]*MONGODB_URI/);
  });
});
