// End to end, as a newcomer would: `npm start -- --jaeger` (its own stack in a temporary folder), then Chromium
// through the demo shop → the emulator's Amazon Pay page → the service's real return URL → the recorded outcome →
// the checkout's trace → the workflow in the Temporal UI. Screenshots go to test-output/e2e/ (ignored by git).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { CHROMIUM_ARGS, ensureChromium } from '../helpers/chromium';

jest.setTimeout(600_000);

const ROOT = resolve(__dirname, '../..');
const OUT = join(ROOT, 'test-output', 'e2e');

let start: ChildProcess | undefined;
let browser: Browser | undefined;
let dataDir: string;
const urls: Record<string, string> = {};
let startupMs = 0;

beforeAll(async () => {
  const executablePath = ensureChromium();
  mkdirSync(OUT, { recursive: true });
  dataDir = mkdtempSync(join(tmpdir(), 'checkout-e2e-'));
  const t0 = Date.now();
  start = spawn(process.execPath, ['--require', 'tsx/cjs', join(ROOT, 'dev/start.ts'), '--jaeger'], {
    cwd: ROOT,
    env: { ...process.env, CHECKOUT_DATA_DIR: dataDir, LOG_LEVEL: 'warn', TEMPORAL_ADDRESS: '', MONGODB_URI: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  await new Promise<void>((res, rej) => {
    const onData = (b: Buffer) => {
      out += b.toString();
      for (const [key, re] of [
        ['shop', /demo shop\s+(http:\S+)/],
        ['ui', /Temporal UI\s+(http:\S+)/],
        ['service', /service \(HTTP\)\s+(http:\S+)/],
      ] as const) {
        const m = re.exec(out);
        if (m) urls[key] = m[1]!;
      }
      if (/ready in/.test(out) && urls.shop) res();
    };
    start!.stdout!.on('data', onData);
    start!.stderr!.on('data', onData);
    start!.once('exit', (code) => rej(new Error(`npm start exited with ${code}:\n${out}`)));
  });
  startupMs = Date.now() - t0;
  process.stderr.write(`[e2e] npm start ready in ${startupMs} ms\n`);
  browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
});

afterAll(async () => {
  await browser?.close();
  if (start && start.exitCode === null) {
    const exited = new Promise((r) => start!.once('exit', r));
    start.kill('SIGINT');
    await exited;
  }
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

it('a buyer pays in the demo shop, approves on Amazon’s page and sees the recorded outcome and the workflow', async () => {
  const page = await browser!.newPage();
  await page.goto(urls.shop!);
  await page.fill('input[name=amount]', '23.45');
  await page.click('#pay');
  await page.waitForSelector('#approve');
  expect(await page.content()).toContain('23.45');
  await page.click('#approve');

  // Back through the service's real return URL, then to the shop's order page.
  await page.waitForSelector('#state');
  expect(page.url()).toContain('/order');
  expect(await page.textContent('#state')).toBe('Completed');
  const record = JSON.parse((await page.textContent('#record')) ?? '{}') as { record?: { chargeAmount?: { minor?: number }; chargeId?: string } };
  expect(JSON.stringify(record)).toContain('"minor":2345');
  await page.screenshot({ path: join(OUT, 'result-page.png'), fullPage: true });

  // The checkout's trace, from Jaeger (spans arrive within a second or two: the page asks to be reloaded until then).
  const orderUrl = page.url();
  await page.click('#trace-link');
  for (let i = 0; i < 40 && (await page.$('#no-trace')); i++) {
    await page.waitForTimeout(500);
    await page.reload();
  }
  await page.waitForSelector('table.trace');
  await page.waitForTimeout(2_000); // the workflow's last spans (the merchant notification) follow the answer
  await page.reload();
  const spans = await page.$$eval('table.trace tbody tr td:nth-child(2)', (tds) => tds.map((td) => td.textContent));
  expect(spans).toEqual(expect.arrayContaining(['GET /checkout/return', 'HandleUpdate:buyerReturned', 'RunActivity:confirmCheckoutSession', 'POST']));
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.screenshot({ path: join(OUT, 'trace.png'), fullPage: true });
  await page.goto(orderUrl);

  const link = await page.getAttribute('#temporal-link', 'href');
  expect(link).toContain('/workflows/checkout-session-');
  await page.goto(link!);
  await page.waitForSelector('text=checkoutSession', { timeout: 60_000 });
  await page.waitForSelector('text=Completed', { timeout: 60_000 });
  await page.screenshot({ path: join(OUT, 'temporal-ui-workflow.png'), fullPage: true });
  await page.close();
});
