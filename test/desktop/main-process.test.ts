// The desktop shell's main process, run under Node with a stand-in for the
// 'electron' module (electron-stand-in.mjs), since Electron's binary may be
// absent: it starts or finds the lab's daemon, opens the window on a
// one-time login link with isolation, sandbox and its preload, keeps pages
// on the daemon's origin, answers IPC only for the panel and within bounds,
// saves the window's bounds, and stops only a daemon it started.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const STAND_IN = join(import.meta.dirname, 'electron-stand-in.mjs');
const MAIN = join(ROOT, 'app', 'dist-desktop', 'main.cjs');

type Report = Record<string, unknown> & { event?: string; msg?: string };

function runShell(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; reports: Report[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', STAND_IN, MAIN, ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', () => undefined);
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      const reports = out
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Report);
      resolve({ code, reports });
    });
  });
}

const find = (reports: Report[], key: 'event' | 'msg', value: string): Report | undefined => reports.find((r) => r[key] === value);

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function gone(pid: number, ms = 30_000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (alive(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
  return true;
}

let tmp: string;
let picked: string;
const daemons: number[] = [];

beforeAll(() => {
  execFileSync(process.execPath, ['scripts/build-desktop.mjs'], { cwd: ROOT, stdio: 'pipe' });
  tmp = mkdtempSync(join(tmpdir(), 'spms-desktop-'));
  picked = join(tmp, 'picked', 'org.example.hello');
  mkdirSync(join(picked, 'src'), { recursive: true });
  writeFileSync(join(picked, 'org.example.hello.plugin'), 'org.example.hello\n');
  writeFileSync(join(picked, 'src', 'hello.c'), 'int f(void) { return 0; }\n');
}, 60_000);

afterAll(async () => {
  for (const pid of daemons) {
    if (alive(pid)) process.kill(pid, 'SIGTERM');
    await gone(pid);
  }
  rmSync(tmp, { recursive: true, force: true });
}, 60_000);

describe('desktop main process', () => {
  it('starts the daemon, opens the panel securely, guards navigation and IPC, then stops the daemon', async () => {
    const labDir = join(tmp, 'lab-a');
    const { code, reports } = await runShell(['--lab-dir', labDir, '--port', '0', '--no-deploy'], { STANDIN_PICK: picked });
    expect(code).toBe(0);
    expect(find(reports, 'event', 'set-path')).toMatchObject({ name: 'userData', path: join(labDir, 'desktop') });
    const started = find(reports, 'msg', 'daemon started');
    expect(started).toBeDefined();
    const pid = started?.pid as number;
    daemons.push(pid);

    const window = find(reports, 'event', 'window')?.options as { webPreferences: Record<string, unknown> };
    expect(window.webPreferences).toEqual({ contextIsolation: true, nodeIntegration: false, sandbox: true, webviewTag: false, preload: join(ROOT, 'app', 'dist-desktop', 'preload.cjs') });
    // The one-time link logs the window in (cookie, redirect to the panel) and is spent.
    expect(find(reports, 'event', 'loaded')).toMatchObject({ status: 303, location: '/', cookie: 'spms_lab_token', reuse: 401 });
    expect(find(reports, 'event', 'loaded')?.url).toMatch(new RegExp(`^${String(started?.url)}/login\\?code=`));

    expect(find(reports, 'event', 'navigate')).toMatchObject({ external: true, file: true, own: false });
    expect(find(reports, 'event', 'window-open')).toMatchObject({ own: 'allow', external: 'deny', file: 'deny' });
    expect(reports.filter((r) => r.event === 'open-external').map((r) => r.url)).toEqual(['https://example.org/doc', 'https://example.org/']);

    const ipc = find(reports, 'event', 'ipc') as Record<string, { ok: boolean; value?: unknown; error?: string }>;
    expect(ipc.channels).toEqual(['spms-desktop:open-files', 'spms-desktop:reveal-in-folder']);
    expect(ipc.revealLab).toEqual({ ok: true, value: true });
    expect(ipc.revealOutside).toEqual({ ok: true, value: false });
    for (const refused of ['revealRelative', 'revealStranger', 'revealSubframe', 'revealElsewhere', 'openBadOption', 'openStranger']) expect(ipc[refused]?.ok, refused).toBe(false);
    expect(ipc.openFolder).toEqual({
      ok: true,
      value: [
        { name: 'org.example.hello/org.example.hello.plugin', size: 18 },
        { name: 'org.example.hello/src/hello.c', size: 26 },
      ],
    });
    expect(ipc.revealPicked).toEqual({ ok: true, value: true });
    expect(reports.filter((r) => r.event === 'show-item-in-folder').map((r) => r.path)).toEqual([join(labDir, 'daemon.token'), picked]);

    expect(JSON.parse(readFileSync(join(labDir, 'desktop', 'window.json'), 'utf8'))).toEqual({ x: 40, y: 30, width: 1100, height: 750, maximized: false });
    expect(await gone(pid)).toBe(true);
  }, 90_000);

  it('leaves a daemon it did not start (or was told to keep) running', async () => {
    const labDir = join(tmp, 'lab-b');
    const first = await runShell(['--lab-dir', labDir, '--port', '0', '--no-deploy', '--keep-daemon']);
    const pid = find(first.reports, 'msg', 'daemon started')?.pid as number;
    expect(pid).toBeTypeOf('number');
    daemons.push(pid);
    await new Promise((r) => setTimeout(r, 300));
    expect(alive(pid)).toBe(true);

    const second = await runShell(['--lab-dir', labDir, '--no-deploy']);
    expect(second.code).toBe(0);
    expect(find(second.reports, 'msg', 'daemon found')?.pid).toBe(pid);
    await new Promise((r) => setTimeout(r, 300));
    expect(alive(pid)).toBe(true);
  }, 90_000);

  it('refuses bad arguments with a message', async () => {
    const { code, reports } = await runShell(['--port', 'x']);
    expect(code).toBe(1);
    expect(String(find(reports, 'event', 'error-box')?.message)).toContain('--port');
  });
});
