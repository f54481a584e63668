// The CLI's input parsing under generated arguments (issue: hostile input at the public edges): whatever the argv,
// `runCli` answers with exit 0 (help) or 2 (usage, with a message) and never throws; an argument is accepted exactly
// when the schema accepts it (the run then stops at the configuration, made invalid here, so nothing connects).
// FUZZ_RUNS and FUZZ_SEED as in the HTTP fuzzer; a failure reports the seed, path and shrunk argv.
import fc from 'fast-check';
import { EXIT, runCli } from '../../../client/cli/cli';
import { readStartInput } from '../../../client/cli/args';
import { CliError } from '../../../client/cli/errors';
import { parseCheckoutInput } from '../../../client/temporal/checkout';
import { CheckoutSessionId, CheckoutState } from '../../../workflows/checkout-session';
import {
  checkoutBodyText,
  clip,
  fuzzParameters,
  fuzzRuns,
  fuzzSeed,
  nastyString,
  sessionIdArb,
} from '../../helpers/fuzz-arbitraries';

const SEED = fuzzSeed();
// Arguments are judged before the configuration; an invalid one here means "the arguments were accepted".
const ENV = { TEMPORAL_TLS: 'maybe' };
const CONFIG_REFUSED = /CLI configuration is invalid/;

async function run(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (t) => out.push(t), err: (t) => err.push(t) }, ENV);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const schemaAccepts = (text: string): boolean => {
  try {
    parseCheckoutInput(JSON.parse(text));
    return true;
  } catch {
    return false;
  }
};

beforeAll(() => process.stdout.write(`cli fuzz: FUZZ_SEED=${SEED}\n`));

describe(`CLI arguments, generated (seed ${SEED})`, () => {
  it('start --json: accepted exactly when the input is valid; refused with the reason and exit 2', async () => {
    const seen = { valid: 0, invalid: 0 };
    await fc.assert(
      fc.asyncProperty(checkoutBodyText(sessionIdArb()), async (text) => {
        const r = await run(['start', `--json=${text}`]);
        const what = clip(text);
        expect({ what, code: r.code }).toEqual({ what, code: EXIT.usage });
        seen[schemaAccepts(text) ? 'valid' : 'invalid']++;
        if (schemaAccepts(text))
          expect({ what, err: r.err }).toEqual({ what, err: expect.stringMatching(CONFIG_REFUSED) });
        else
          expect({ what, err: r.err }).toEqual({
            what,
            err: expect.stringMatching(/^(invalid checkout input:\n|--json is not valid JSON)/),
          });
      }),
      fuzzParameters(SEED, fuzzRuns(300), 30_000),
    );
    // The generator reaches both sides of the schema.
    expect(seen.valid).toBeGreaterThan(0);
    expect(seen.invalid).toBeGreaterThan(seen.valid);
  });

  it('readStartInput returns only what the schema accepts, else a usage error', () => {
    fc.assert(
      fc.property(checkoutBodyText(sessionIdArb()), (text) => {
        let raw: unknown;
        try {
          raw = readStartInput({ json: text });
        } catch (err) {
          expect(err).toBeInstanceOf(CliError);
          expect((err as CliError).exitCode).toBe(EXIT.usage);
          return;
        }
        expect(() => parseCheckoutInput(raw)).not.toThrow();
      }),
      fuzzParameters(SEED, fuzzRuns(300), 30_000),
    );
  });

  it('session IDs, --state and --limit: accepted exactly when valid', async () => {
    const idCommand = fc.tuple(
      fc.constantFrom('status', 'history', 'cancel'),
      fc.oneof(sessionIdArb('S01-'), nastyString),
    );
    await fc.assert(
      fc.asyncProperty(idCommand, async ([command, id]) => {
        const r = await run([command, id]);
        const valid = !id.startsWith('-') && CheckoutSessionId.safeParse(id).success;
        expect({ id, code: r.code }).toEqual({ id, code: EXIT.usage });
        expect({ id, err: r.err }).toEqual({
          id,
          err: valid ? expect.stringMatching(CONFIG_REFUSED) : expect.not.stringMatching(CONFIG_REFUSED),
        });
      }),
      fuzzParameters(SEED, fuzzRuns(200), 30_000),
    );
    const listArgs = fc.tuple(
      fc.oneof(fc.constantFrom(...CheckoutState.options), nastyString),
      fc.oneof(fc.integer({ min: -5, max: 2000 }).map(String), nastyString),
    );
    await fc.assert(
      fc.asyncProperty(listArgs, async ([state, limit]) => {
        const r = await run(['list', `--state=${state}`, `--limit=${limit}`]);
        const n = Number(limit);
        const valid = CheckoutState.safeParse(state).success && Number.isInteger(n) && n >= 1 && n <= 1000;
        expect({ state, limit, code: r.code, refusedArgs: !CONFIG_REFUSED.test(r.err) }).toEqual({
          state,
          limit,
          code: EXIT.usage,
          refusedArgs: !valid,
        });
      }),
      fuzzParameters(SEED, fuzzRuns(200), 30_000),
    );
  });

  it('any argv: exit 0 with help or exit 2 with a message; never a throw', async () => {
    const token = fc.oneof(
      {
        arbitrary: fc.constantFrom(
          'start',
          'status',
          'list',
          'history',
          'cancel',
          'help',
          '--help',
          '-h',
          '--json',
          '--file',
          '--state',
          '--limit',
          '--',
          '-',
          '--show-buyer',
          '--reason',
          '--json=',
          '--limit=1',
        ),
        weight: 4,
      },
      { arbitrary: nastyString, weight: 3 },
      { arbitrary: checkoutBodyText(sessionIdArb()), weight: 1 },
    );
    await fc.assert(
      fc.asyncProperty(fc.array(token, { maxLength: 6 }), async (argv) => {
        const r = await run(argv);
        const what = clip(JSON.stringify(argv));
        expect({ what, code: [EXIT.ok, EXIT.usage].includes(r.code as 0 | 2) }).toEqual({ what, code: true });
        if (r.code === EXIT.ok) expect(r.out).toMatch(/Usage|Commands/);
        else expect(r.err.length).toBeGreaterThan(0);
      }),
      fuzzParameters(SEED, fuzzRuns(400), 30_000),
    );
  });
});
