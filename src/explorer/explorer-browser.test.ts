/**
 * The explorer in a real headless browser (slow: a minute or two): the devnet's fraud scenario
 * runs in this process (one embedded anvil for the file) and Debian's chromium, driven by
 * playwright-core, opens the sequencer's JSON-RPC URL. While the devnet runs the page shows L2
 * blocks with their transactions and receipts, a batch, the assertions, and the dispute: its moves
 * on a timeline, the one-step proof, and the bonds the liar lost. Nothing is timed: each wait is for
 * what the chain does next, with a generous timeout.
 *
 * Chromium: `CHROMIUM` or /usr/bin/chromium (`.ci/run` installs it). Without one the test is
 * skipped, except under CI, where it fails. `EXPLORER_SCREENSHOTS=docs` writes the screenshots
 * into docs/ (docs/explorer.md); otherwise they go to a temporary folder.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load.ts';
import { REPO_ROOT } from '../l1/contracts.ts';
import { type DevnetResult, DevnetRun } from '../node/devnet-run.ts';
import type { DisputeView } from './views.ts';

const CHROMIUM = [process.env.CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find(
  (p): p is string => !!p && existsSync(p),
);
const MISSING = !CHROMIUM && process.env.CI !== 'true';
const SHOTS =
  process.env.EXPLORER_SCREENSHOTS === 'docs'
    ? join(REPO_ROOT, 'docs')
    : mkdtempSync(join(tmpdir(), 'explorer-'));

let browser: Browser | undefined;
let run: DevnetRun | undefined;
let done: Promise<DevnetResult> | undefined;
afterAll(async () => {
  await browser?.close();
  run?.stop();
  await done?.catch(() => {});
  if (process.env.EXPLORER_SCREENSHOTS !== 'docs') rmSync(SHOTS, { recursive: true, force: true });
});

const count = (page: Page, selector: string) => page.locator(selector).count();

describe.skipIf(MISSING)('the explorer in a headless browser (slow)', () => {
  it('shows blocks with transactions and a live dispute with its moves, one-step proof and bonds', {
    timeout: 420_000,
  }, async () => {
    expect(CHROMIUM, 'chromium is needed (apt-get install chromium, or set CHROMIUM)').toBeDefined();
    const config = loadConfig(join(REPO_ROOT, 'examples/devnet.config.json'));
    let url: string | undefined;
    run = new DevnetRun({
      config,
      scenario: 'fraud',
      warpSeconds: 2,
      timeoutMs: 400_000,
      onReady: (info) => {
        url = info.explorerUrl;
      },
    });
    done = run.run();
    let ended = false;
    // both branches handled: a bare .finally() would leave its own promise rejecting unhandled
    done.then(
      () => {
        ended = true;
      },
      () => {
        ended = true;
      },
    );
    while (!url) {
      if (ended) throw new Error(`the devnet ended before it was ready: ${JSON.stringify(await done)}`);
      await new Promise((r) => setTimeout(r, 200));
    }

    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    const errors: string[] = [];
    const foreign: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('request', (r) => {
      if (!r.url().startsWith(url as string)) foreign.push(r.url());
    });
    await page.goto(url);

    const wait = { timeout: 300_000 };
    // L2 blocks and their transactions with receipts (the demo's transfers)
    await page.locator('[data-test=block] [data-test=tx]').first().waitFor(wait);
    await expect.poll(() => page.locator('[data-test=tx] .rcpt').first().textContent(), wait).toBe('ok');
    await page.locator('[data-test=batch]').first().waitFor(wait);
    await page.locator('[data-test=assertion]').first().waitFor(wait);

    // the dispute, live: moves appear while the parties bisect, then the one-step proof
    const dispute = page.locator('[data-test=dispute]').first();
    await dispute.waitFor(wait);
    await expect.poll(() => count(page, '[data-test=dispute] [data-test=move]'), wait).toBeGreaterThan(5);
    expect(await dispute.locator('[data-test=move] .act.dissect').count()).toBeGreaterThan(0);
    await dispute.locator('[data-test=one-step-proof]').waitFor(wait);
    expect(await dispute.locator('[data-test=one-step-proof]').textContent()).toMatch(
      /L1 executed step [\d,]+ of block \d+/,
    );
    await page.screenshot({ path: join(SHOTS, 'explorer-dispute-live.png'), fullPage: false });

    // decided: the honest assertion confirmed by the challenge, the liar's stake and bonds lost
    await dispute.locator('.badge.ok', { hasText: 'decided' }).waitFor(wait);
    await dispute.locator('[data-test=bonds] td.lost').first().waitFor(wait);
    await dispute.locator('.act.slash').first().waitFor(wait);
    expect(ended, 'the devnet is still running').toBe(false);

    // the same dispute as modex_getDisputes answers it: moves by both sides, the winner lost nothing
    const r = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'modex_getDisputes', params: [] }),
    });
    const [d] = ((await r.json()) as { result: { items: DisputeView[] } }).result.items;
    expect(d.status).toBe('decided');
    const winner = d.rivals.find((x) => x.id === d.winner);
    const loser = d.rivals.find((x) => x.id !== d.winner);
    expect(winner?.status).toBe('confirmed');
    expect(loser?.status).toBe('rejected');
    expect(new Set(d.moves.map((m) => m.from))).toEqual(new Set([winner?.asserter, loser?.asserter]));
    expect(d.oneStepProof?.from).toBe(winner?.asserter);
    expect(d.oneStepProof?.block).toBe(winner?.fromPosition); // the liar lied about its first block
    const party = (a?: string) => d.parties.find((p) => p.address === a);
    expect(party(winner?.asserter)?.lost).toBe('0');
    expect(BigInt(party(loser?.asserter)?.lost ?? 0)).toBeGreaterThanOrEqual(10n ** 18n); // its stake at least
    expect(
      d.bonds.some((b) => b.kind === 'stake' && b.from === loser?.asserter && b.to === winner?.asserter),
    ).toBe(true);

    await page.screenshot({ path: join(SHOTS, 'explorer.png'), fullPage: true });
    expect(errors).toEqual([]);
    expect(foreign).toEqual([]); // no CDN: the page loads nothing from elsewhere
  });
});
