// The panel in Chromium against a real daemon and a real local lab: deploy
// from the Lab view, drop a plugin on the drop zone, watch its verifiers
// finish, find its epoch, draw and tamper with its proof, check bundles.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Daemon } from '../../daemon/daemon.ts';
import { DaemonClient } from '../../daemon/daemon-client.ts';
import { axeViolations } from '../support/axe-audit.ts';
import { dropPaths, launchChromium, openPanel, screenshotOnFailure } from '../support/panel-browser.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const HELLO = join(ROOT, 'test/fixtures/plugins/org.example.hello');
const NAME = 'org.example.hello';
const VERIFIERS: Record<string, string[]> = { PV1: ['wf', 'term'], PV2: ['wf', 'fx'], PV3: ['cc', 'ok'] };

let dir: string;
let daemon: Daemon;
let client: DaemonClient;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'spms-panel-'));
  daemon = await Daemon.start({ labDir: dir, port: 0, caKeyBits: 2048, deploy: 'never' });
  client = new DaemonClient(daemon.url, daemon.token);
  browser = await launchChromium();
  page = await openPanel(browser, daemon.url, client, '#/lab');
});

afterEach(async (ctx) => {
  await screenshotOnFailure(page, `panel-${ctx.task.name}`, ctx.task.result?.state === 'fail');
});

afterAll(async () => {
  await browser?.close();
  await daemon?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the panel', () => {
  it('deploys the lab from the Lab view and shows every node healthy', async () => {
    await page.getByRole('button', { name: 'Deploy' }).click();
    await expect.poll(() => page.getByTestId('task').isVisible()).toBe(true);
    for (const id of ['PR', 'PV1', 'PV2', 'PV3']) {
      await page.locator(`[data-testid="node-${id}"][data-health="healthy"]`).waitFor({ timeout: 60_000 });
    }
  });

  it('takes a plugin folder dropped on the drop zone through every verifier of every PV', async () => {
    await page.goto(`${daemon.url}/#/plugins`);
    await dropPaths(page, page.getByTestId('dropzone'), [HELLO]);
    await expect.poll(() => page.getByTestId('upload-progress').textContent(), { timeout: 30_000 }).toMatch(`${NAME}/`);
    await page.getByTestId(`plugin-${NAME}`).waitFor({ timeout: 30_000 });
    for (const [pv, verifiers] of Object.entries(VERIFIERS)) {
      for (const v of verifiers) await page.locator(`[data-testid="verifier-${NAME}-${pv}-${v}"][data-state="pass"]`).waitFor({ timeout: 60_000 });
      await page.locator(`[data-testid="pv-status-${NAME}-${pv}"][data-decision="valid"]`).waitFor({ timeout: 60_000 });
    }
  });

  it('shows the epoch that included the plugin', async () => {
    // The epoch PV1 included it in, as the daemon proves it.
    let epoch = -1;
    await expect
      .poll(
        async () => {
          const p = await client.get<{ kind: string; epoch: number }>(`/api/proofs/${NAME}?pv=PV1`);
          epoch = p.epoch;
          return p.kind;
        },
        { timeout: 30_000, interval: 500 },
      )
      .toBe('inclusion');
    await page.goto(`${daemon.url}/#/epochs`);
    await page.getByLabel('PV').selectOption('PV1');
    await page.getByTestId(`epoch-${epoch}`).waitFor({ timeout: 30_000 });
    await expect.poll(() => page.getByTestId('chain-status').getAttribute('data-ok')).toBe('true');
  });

  it('draws the proof tree, verified in the browser, and highlights a tampered sibling', async () => {
    // A second name in the tree, so the proof has a sibling to tamper with.
    const other = 'org.example.world';
    const files = readdirSync(HELLO).map((f) => {
      const data = readFileSync(join(HELLO, f));
      return { path: `${other}/${f}`, data: new Uint8Array(f.endsWith('.plugin') ? Buffer.from(data.toString('utf8').replace(NAME, other)) : data) };
    });
    await client.upload(files);
    await expect.poll(async () => (await client.get<{ kind: string }>(`/api/proofs/${other}?pv=PV2`)).kind, { timeout: 60_000, interval: 500 }).toBe('inclusion');
    await page.goto(`${daemon.url}/#/proofs`);
    await page.getByLabel('Plugin name').fill(NAME);
    await page.getByLabel('PV').selectOption('PV2');
    await page.getByRole('button', { name: 'Show proof' }).click();
    await page.getByTestId('proof-tree').waitFor();
    await page.getByTestId('proof-leaf').waitFor();
    expect(await page.getByTestId('proof-kind').textContent()).toMatch(/inclusion/i);
    await expect.poll(() => page.getByTestId('proof-verdict').getAttribute('data-ok')).toBe('true');
    const sibling = page.getByLabel(/^Sibling hash at depth/).first();
    const original = await sibling.inputValue();
    const flipped = `${original[0] === '0' ? '1' : '0'}${original.slice(1)}`;
    await sibling.fill(flipped);
    await page.getByTestId('proof-failing-step').waitFor();
    await expect.poll(() => page.getByTestId('proof-verdict').getAttribute('data-ok')).toBe('false');
    await page.getByRole('button', { name: 'Reset' }).click();
    await expect.poll(() => page.getByTestId('proof-verdict').getAttribute('data-ok')).toBe('true');
    expect(await page.getByTestId('proof-failing-step').count()).toBe(0);
  });

  it('checks bundles in the Peer view: a satisfied formula is accepted, an unsatisfied one refused', async () => {
    await page.goto(`${daemon.url}/#/peer`);
    await page.getByLabel('Plugin name').fill(NAME);
    await page.getByLabel('Formula').fill('PV1 & (PV2 | PV3)');
    await page.getByRole('button', { name: 'Check bundle' }).click();
    await expect.poll(() => page.getByTestId('bundle-verdict').getAttribute('data-accepted'), { timeout: 30_000 }).toBe('true');
    await page.getByTestId('bundle-pv-PV1').waitFor();
    await page.getByLabel('Formula').fill('PV1 & PV4');
    await page.getByRole('button', { name: 'Check bundle' }).click();
    await expect.poll(() => page.getByTestId('bundle-verdict').getAttribute('data-accepted'), { timeout: 30_000 }).toBe('false');
  });

  it('shows a formula syntax error as it is typed', async () => {
    await page.getByLabel('Formula').fill('PV1 & (PV2 |');
    await page.getByTestId('formula-error').waitFor();
  });

  it('passes an accessibility audit (WCAG 2.1 AA) on every view, in both themes, and moves focus to a view picked from the keyboard', async () => {
    const views: [string, () => Promise<void>][] = [
      ['lab', () => page.locator('[data-testid="node-PV1"][data-health="healthy"]').waitFor()],
      ['plugins', () => page.getByTestId(`plugin-${NAME}`).waitFor()],
      ['epochs', () => page.getByTestId('chain-status').waitFor()],
      [`proofs?name=${NAME}&pv=PV2`, () => page.getByTestId('proof-verdict').waitFor()],
      [`peer?name=${NAME}&formula=PV1`, () => page.getByLabel('Formula').waitFor()],
      ['monitor', () => page.getByLabel('Names').waitFor()],
      ['certificates', () => page.getByTestId('root-ca').waitFor()],
      ['measures', () => page.locator('[data-testid^="measure-"]').first().waitFor()],
    ];
    const found: string[] = [];
    for (const theme of ['light', 'dark']) {
      await page.evaluate((t) => localStorage.setItem('spms-theme', t), theme);
      for (const [hash, ready] of views) {
        await page.goto(`${daemon.url}/#/${hash}`);
        await page.reload();
        await ready();
        expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe(theme);
        for (const v of await axeViolations(page)) found.push(`${theme} #/${hash}: ${v}`);
      }
    }
    expect(found).toEqual([]);

    await page.goto(`${daemon.url}/#/lab`);
    await page.getByRole('link', { name: 'Epochs' }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('main');
    expect(await page.getByRole('main').getAttribute('aria-label')).toBe('Epochs');
  });
});
