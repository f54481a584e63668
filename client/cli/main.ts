// Entry point of the operator CLI: `npx checkout …` (bin/checkout.js) or `npm run checkout -- …`.
import { runCli } from './cli';

runCli(process.argv.slice(2), {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
}).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`checkout: ${(err as Error)?.message ?? String(err)}\n`);
    process.exitCode = 1;
  },
);
