// A stand-in for the 'electron' module, enough to run the desktop shell's
// main process (app/dist-desktop/main.cjs) under plain Node where Electron's
// binary is absent: `node --import ./electron-stand-in.mjs main.cjs …`.
// It reports what the shell does as JSON lines on stdout, loads the window's
// URL with fetch (as the window would, without following the redirect),
// then plays the panel and a stranger against the shell's navigation guards
// and IPC handlers, closes the window and quits.
//   STANDIN_PICK   path the file dialog answers with
import { EventEmitter } from 'node:events';
import Module from 'node:module';
import { dirname, join } from 'node:path';

const report = (event, data = {}) => process.stdout.write(`${JSON.stringify({ event, ...data })}\n`);
const handlers = new Map();
let labDir = '';

const app = Object.assign(new EventEmitter(), {
  isPackaged: false,
  setPath(name, path) {
    if (name === 'userData') labDir = dirname(path);
    report('set-path', { name, path });
  },
  requestSingleInstanceLock: () => true,
  whenReady: () => Promise.resolve(),
  quit() {
    app.emit('before-quit');
    app.emit('will-quit');
    report('quit');
    setTimeout(() => process.exit(0), 50);
  },
  exit(code) {
    report('exit', { code });
    process.exit(code);
  },
});

const shell = {
  openExternal: async (url) => report('open-external', { url }),
  showItemInFolder: (path) => report('show-item-in-folder', { path }),
};

const dialog = {
  showErrorBox: (title, message) => report('error-box', { title, message }),
  showOpenDialog: async (_win, options) => {
    report('open-dialog', { properties: options.properties });
    return { canceled: false, filePaths: [process.env.STANDIN_PICK ?? '/nonexistent'] };
  },
};

class WebContents extends EventEmitter {
  url = '';
  openHandler = undefined;
  getURL() {
    return this.url;
  }
  setWindowOpenHandler(h) {
    this.openHandler = h;
  }
  get mainFrame() {
    return { url: this.url, parent: null };
  }
}

class BrowserWindow extends EventEmitter {
  constructor(options) {
    super();
    this.options = options;
    this.webContents = new WebContents();
    app.emit('web-contents-created', {}, this.webContents);
    report('window', { options });
  }
  isDestroyed = () => false;
  isMinimized = () => false;
  isMaximized = () => false;
  maximize = () => undefined;
  show = () => report('show');
  getNormalBounds = () => ({ x: 40, y: 30, width: 1100, height: 750 });
  async loadURL(url) {
    const res = await fetch(url, { redirect: 'manual' });
    const origin = new URL(url).origin;
    this.webContents.url = `${origin}${res.headers.get('location') ?? ''}`;
    const again = await fetch(url, { redirect: 'manual' });
    report('loaded', { url, status: res.status, location: res.headers.get('location'), cookie: (res.headers.get('set-cookie') ?? '').split('=')[0], reuse: again.status });
    this.emit('ready-to-show');
    setTimeout(() => void play(this, origin), 10);
  }
}

async function attempt(f) {
  try {
    return { ok: true, value: await f() };
  } catch (e) {
    return { ok: false, error: e.message };
  }
}

/** What the page and a stranger try once the panel is loaded. */
async function play(win, origin) {
  const wc = win.webContents;
  const navigate = (url) => {
    let prevented = false;
    wc.emit('will-navigate', { preventDefault: () => (prevented = true) }, url);
    return prevented;
  };
  report('navigate', { external: navigate('https://example.org/doc'), file: navigate('file:///etc/passwd'), own: navigate(`${origin}/#/plugins`) });
  report('window-open', {
    own: wc.openHandler({ url: `${origin}/api/ca/root` }).action,
    external: wc.openHandler({ url: 'https://example.org/' }).action,
    file: wc.openHandler({ url: 'file:///etc/passwd' }).action,
  });
  const panel = { sender: wc, senderFrame: { url: `${origin}/`, parent: null } };
  const subframe = { sender: wc, senderFrame: { url: `${origin}/`, parent: {} } };
  const stranger = { sender: new WebContents(), senderFrame: { url: `${origin}/`, parent: null } };
  const elsewhere = { sender: wc, senderFrame: { url: 'https://example.org/', parent: null } };
  const reveal = handlers.get('spms-desktop:reveal-in-folder');
  const open = handlers.get('spms-desktop:open-files');
  report('ipc', {
    channels: [...handlers.keys()].sort(),
    revealLab: await attempt(() => reveal(panel, join(labDir, 'daemon.token'))),
    revealOutside: await attempt(() => reveal(panel, '/etc/passwd')),
    revealRelative: await attempt(() => reveal(panel, 'daemon.token')),
    revealStranger: await attempt(() => reveal(stranger, join(labDir, 'daemon.token'))),
    revealSubframe: await attempt(() => reveal(subframe, join(labDir, 'daemon.token'))),
    revealElsewhere: await attempt(() => reveal(elsewhere, join(labDir, 'daemon.token'))),
    openBadOption: await attempt(() => open(panel, { directory: 'yes' })),
    openStranger: await attempt(() => open(stranger, { directory: true })),
    openFolder: await attempt(async () => (await open(panel, { directory: true })).map((f) => ({ name: f.name, size: f.bytes.length }))),
    revealPicked: await attempt(() => reveal(panel, process.env.STANDIN_PICK ?? '/nonexistent')),
  });
  win.emit('close');
  win.emit('closed');
  app.emit('window-all-closed');
}

const electron = {
  app,
  BrowserWindow,
  dialog,
  shell,
  ipcMain: { handle: (channel, f) => handlers.set(channel, f) },
  screen: { getAllDisplays: () => [{ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }] },
  session: { defaultSession: { setPermissionRequestHandler: () => undefined, setPermissionCheckHandler: () => undefined } },
};

const load = Module._load;
Module._load = function (request, ...rest) {
  return request === 'electron' ? electron : load.call(this, request, ...rest);
};
