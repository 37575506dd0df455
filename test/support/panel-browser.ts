// Debian's Chromium driven by playwright-core for the panel's browser tests:
// headless, no sandbox (tests run as root), a page logged in through the
// daemon's one-time login URL, and a screenshot in test/artifacts/ when a
// test fails.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import type { DaemonClient } from '../../daemon/daemon-client.ts';

export const ARTIFACTS = resolve(import.meta.dirname, '..', 'artifacts');

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
}

/** A new page, logged in with a one-time login URL, on `hash` (e.g. "#/lab"). */
export async function openPanel(browser: Browser, daemonUrl: string, client: DaemonClient, hash = '#/lab'): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  const { path } = await client.post<{ path: string }>('/api/login-url');
  await page.goto(`${daemonUrl}${path}`);
  await page.goto(`${daemonUrl}/${hash}`);
  return page;
}

export async function screenshotOnFailure(page: Page | undefined, name: string, failed: boolean): Promise<void> {
  if (page === undefined || !failed) return;
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name.replace(/[^A-Za-z0-9_.-]+/g, '-')}.png`), fullPage: true }).catch(() => undefined);
}

/**
 * Drags files or folders of this machine onto `target` as the user would:
 * Chromium's own drag events (DevTools protocol), so a folder arrives as a
 * directory entry the page walks, exactly as from a file manager.
 */
export async function dropPaths(page: Page, target: Locator, paths: string[]): Promise<void> {
  const box = await target.boundingBox();
  if (box === null) throw new Error('dropPaths: the drop target is not visible');
  const at = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
  const cdp = await page.context().newCDPSession(page);
  try {
    const data = { items: [], files: paths, dragOperationsMask: 1 };
    for (const type of ['dragEnter', 'dragOver', 'drop'] as const) await cdp.send('Input.dispatchDragEvent', { type, ...at, data });
  } finally {
    await cdp.detach();
  }
}
