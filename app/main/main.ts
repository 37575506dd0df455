// The desktop shell (Electron main process). It finds the lab's daemon or
// starts one, deploys the lab when it is not deployed (unless --no-deploy),
// and opens the panel the daemon serves through a one-time login link. The
// page gets no Node: context isolation, the sandbox, and a preload exposing
// only the desktop extras (file dialog, show in folder). Navigation stays on
// the daemon's origin; other links open in the system browser.
//   electron app/dist-desktop/main.cjs [--lab-dir DIR] [--port N] [--no-deploy] [--keep-daemon]
// One window per lab directory; its Chromium profile and window bounds live
// in <lab>/desktop/. A daemon this shell started stops when the shell quits
// (tearing the nodes down) unless --keep-daemon; one that was already running
// is left as it was.
import { app, BrowserWindow, dialog, ipcMain, screen, session, shell, type IpcMainInvokeEvent, type WebContents } from 'electron';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDaemon, type DaemonLaunch } from '../../bin/lib/lab-daemon.ts';
import { DaemonRequestError, type DaemonClient } from '../../daemon/daemon-client.ts';
import { resolveLabDir } from '../../daemon/lab-dir.ts';
import type { LabStatus } from '../../daemon/lab.ts';
import { CHANNELS } from '../preload/desktop-api.ts';
import { DEFAULT_WINDOW, externalUrl, isInside, parseOpenFilesOptions, parseRevealPath, parseShellArgs, parseWindowState, sameOrigin, visibleState, type WindowState } from './guards.ts';
import { readPicked } from './picked-files.ts';

/** The repository, or the packaged app's root: this file runs as app/dist-desktop/main.cjs. */
const ROOT = join(__dirname, '..', '..');

let mainWindow: BrowserWindow | undefined;
let daemonOrigin = '';
/** The daemon this shell started (stopped on quit), if any. */
let startedDaemonPid: number | undefined;
/** Paths the user picked in this session: revealInFolder may show them, besides the lab directory. */
const picked = new Set<string>();

function fail(message: string): never {
  console.error(`spms desktop: ${message}`);
  dialog.showErrorBox('SPMS Lab', message);
  app.exit(1);
  process.exit(1);
}

/**
 * How to run the daemon. Packaged, Electron itself runs it as Node
 * (ELECTRON_RUN_AS_NODE; the nodes it spawns inherit that), with the native
 * modules electron-builder rebuilt for it. From a checkout, the system's
 * Node runs it, as `npm start` would: the native modules are built for it.
 */
function daemonLaunch(): DaemonLaunch {
  const spms = join(ROOT, 'bin', 'spms.js');
  if (app.isPackaged) return { node: process.execPath, spms, env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } };
  const env = { ...process.env };
  delete env.ELECTRON_RUN_AS_NODE;
  return { node: process.env.npm_node_execpath ?? 'node', spms, env };
}

async function deployIfNeeded(client: DaemonClient): Promise<void> {
  const status = await client.get<LabStatus>('/api/lab/status');
  if (status.task !== undefined || (status.deployment.status !== 'none' && status.deployment.status !== 'failed')) return;
  try {
    await client.post('/api/lab/deploy');
  } catch (e) {
    // Someone else started a task, or deployed, in between: the panel shows it.
    if (!(e instanceof DaemonRequestError && e.status === 409)) throw e;
  }
}

function loadWindowState(file: string): WindowState {
  try {
    return parseWindowState(JSON.parse(readFileSync(file, 'utf8')));
  } catch {
    return { ...DEFAULT_WINDOW };
  }
}

function saveWindowState(file: string, win: BrowserWindow): void {
  const b = win.getNormalBounds();
  const state: WindowState = { x: b.x, y: b.y, width: b.width, height: b.height, maximized: win.isMaximized() };
  try {
    writeFileSync(`${file}.tmp`, `${JSON.stringify(state)}\n`, { mode: 0o600 });
    renameSync(`${file}.tmp`, file);
  } catch (e) {
    console.error(`spms desktop: cannot save the window's bounds in ${file}: ${(e as Error).message}`);
  }
}

/** IPC is answered only for the panel: the main window's top frame, on the daemon's origin. */
function fromPanel(event: IpcMainInvokeEvent): boolean {
  const win = mainWindow;
  const frame = event.senderFrame;
  return win !== undefined && !win.isDestroyed() && event.sender === win.webContents && frame !== null && frame.parent === null && sameOrigin(frame.url, daemonOrigin);
}

function handleIpc(labDir: string): void {
  ipcMain.handle(CHANNELS.openFiles, async (event, ...args: unknown[]) => {
    if (!fromPanel(event) || mainWindow === undefined) throw new Error('openFiles: refused (not the panel)');
    if (args.length > 1) throw new Error('openFiles takes at most one argument');
    const { directory } = parseOpenFilesOptions(args[0]);
    const result = await dialog.showOpenDialog(mainWindow, {
      title: directory ? 'Pick a plugin folder' : 'Pick plugin files',
      properties: directory ? ['openDirectory'] : ['openFile', 'multiSelections'],
    });
    if (result.canceled || result.filePaths.length === 0) return [];
    const files = await readPicked(result.filePaths, directory);
    for (const p of result.filePaths) picked.add(p);
    return files;
  });
  ipcMain.handle(CHANNELS.revealInFolder, (event, ...args: unknown[]) => {
    if (!fromPanel(event)) throw new Error('revealInFolder: refused (not the panel)');
    if (args.length !== 1) throw new Error('revealInFolder takes one argument');
    const path = parseRevealPath(args[0]);
    if (!isInside(path, [labDir, ...picked]) || !existsSync(path)) return false;
    shell.showItemInFolder(path);
    return true;
  });
}

/** Every page (the panel and any window it opens) stays on the daemon's origin; other links go to the system browser. */
function guardContents(contents: WebContents): void {
  const keepOnOrigin = (event: { preventDefault(): void }, url: string): void => {
    if (sameOrigin(url, daemonOrigin)) return;
    event.preventDefault();
    if (externalUrl(url)) void shell.openExternal(url);
  };
  contents.on('will-navigate', (event, url) => keepOnOrigin(event, url));
  contents.on('will-redirect', (event, url) => keepOnOrigin(event, url));
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    if (sameOrigin(url, daemonOrigin)) return { action: 'allow', overrideBrowserWindowOptions: { autoHideMenuBar: true } };
    if (externalUrl(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
}

function openWindow(profileDir: string, loginUrl: string): void {
  const stateFile = join(profileDir, 'window.json');
  const saved = visibleState(
    loadWindowState(stateFile),
    screen.getAllDisplays().map((d) => d.workArea),
  );
  const win = new BrowserWindow({
    ...(saved.x === undefined || saved.y === undefined ? {} : { x: saved.x, y: saved.y }),
    width: saved.width,
    height: saved.height,
    minWidth: 640,
    minHeight: 480,
    title: 'SPMS Lab',
    show: false,
    autoHideMenuBar: true,
    webPreferences: {
      contextIsolation: true,
      nodeIntegration: false,
      sandbox: true,
      webviewTag: false,
      preload: join(__dirname, 'preload.cjs'),
    },
  });
  mainWindow = win;
  if (saved.maximized) win.maximize();
  win.once('ready-to-show', () => win.show());
  win.on('close', () => saveWindowState(stateFile, win));
  win.on('closed', () => (mainWindow = undefined));
  win.loadURL(loginUrl).catch((e: Error) => fail(`cannot load the panel from ${daemonOrigin}: ${e.message}`));
}

async function start(labDir: string, profileDir: string, port: number | undefined, deploy: boolean): Promise<void> {
  // The page may write to the clipboard (copy a hash); nothing else (camera, notifications, …).
  const allowed = (contents: WebContents | null, permission: string): boolean => permission === 'clipboard-sanitized-write' && contents !== null && sameOrigin(contents.getURL(), daemonOrigin);
  session.defaultSession.setPermissionRequestHandler((contents, permission, callback) => callback(allowed(contents, permission)));
  session.defaultSession.setPermissionCheckHandler((contents, permission) => allowed(contents, permission));
  const { info, client, started } = await ensureDaemon(labDir, port, daemonLaunch());
  if (started) startedDaemonPid = info.pid;
  daemonOrigin = new URL(info.url).origin;
  console.log(JSON.stringify({ level: 'info', msg: started ? 'daemon started' : 'daemon found', url: info.url, labDir, pid: info.pid }));
  if (deploy) await deployIfNeeded(client);
  const { path } = await client.post<{ path: string }>('/api/login-url');
  openWindow(profileDir, `${info.url}${path}`);
}

function main(): void {
  let args: ReturnType<typeof parseShellArgs>;
  try {
    args = parseShellArgs(process.argv.slice(app.isPackaged ? 1 : 2));
  } catch (e) {
    fail((e as Error).message);
  }
  const labDir = resolveLabDir(args.labDir);
  const profileDir = join(labDir, 'desktop');
  mkdirSync(profileDir, { recursive: true, mode: 0o700 });
  // The profile (and with it the single-instance lock) is the lab's own.
  app.setPath('userData', profileDir);
  if (!app.requestSingleInstanceLock()) {
    console.log(`spms desktop: a window is already open for ${labDir}`);
    app.exit(0);
    return;
  }
  app.on('second-instance', () => {
    if (mainWindow === undefined) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });
  app.on('web-contents-created', (_event, contents) => guardContents(contents));
  app.on('window-all-closed', () => app.quit());
  // An AppImage's files vanish when it exits: a daemon started from them cannot outlive it.
  const keepDaemon = args.keepDaemon && process.env.APPIMAGE === undefined;
  app.on('will-quit', () => {
    if (startedDaemonPid === undefined || keepDaemon) return;
    try {
      // The daemon tears its nodes down on SIGTERM.
      process.kill(startedDaemonPid, 'SIGTERM');
    } catch {
      // already gone
    }
  });
  process.on('SIGINT', () => app.quit());
  process.on('SIGTERM', () => app.quit());
  handleIpc(labDir);
  app
    .whenReady()
    .then(() => start(labDir, profileDir, args.port, args.deploy))
    .catch((e: unknown) => fail(e instanceof Error ? e.message : String(e)));
}

main();
