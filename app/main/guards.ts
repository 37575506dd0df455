// Checks on everything that reaches the desktop shell's main process from a
// page or from disk: IPC arguments, navigation targets, the saved window
// state. Pure functions, so they are tested without Electron.
import { isAbsolute, normalize, relative, sep } from 'node:path';
import type { OpenFilesOptions } from '../preload/desktop-api.ts';

export class IpcArgumentError extends TypeError {
  constructor(message: string) {
    super(message);
    this.name = 'IpcArgumentError';
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** openFiles' options: nothing, or `{directory?: boolean}` and no other key. */
export function parseOpenFilesOptions(v: unknown): Required<OpenFilesOptions> {
  if (v === undefined || v === null) return { directory: false };
  if (!isRecord(v)) throw new IpcArgumentError('openFiles takes an options object');
  for (const k of Object.keys(v)) if (k !== 'directory') throw new IpcArgumentError(`openFiles: unknown option "${k}"`);
  if (v.directory !== undefined && typeof v.directory !== 'boolean') throw new IpcArgumentError('openFiles: "directory" must be a boolean');
  return { directory: v.directory === true };
}

export const MAX_PATH_LENGTH = 4096;

/** revealInFolder's argument: an absolute path, normalised. */
export function parseRevealPath(v: unknown): string {
  if (typeof v !== 'string') throw new IpcArgumentError('revealInFolder takes a path string');
  if (v.length === 0 || v.length > MAX_PATH_LENGTH) throw new IpcArgumentError(`revealInFolder: the path must have 1 to ${MAX_PATH_LENGTH} characters`);
  if (v.includes('\0')) throw new IpcArgumentError('revealInFolder: the path holds a NUL character');
  if (!isAbsolute(v)) throw new IpcArgumentError('revealInFolder: the path must be absolute');
  return normalize(v);
}

/** True when `path` is one of `roots` or lies inside one (both absolute). */
export function isInside(path: string, roots: Iterable<string>): boolean {
  for (const root of roots) {
    const rel = relative(normalize(root), normalize(path));
    if (rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel))) return true;
  }
  return false;
}

/** True when `url` is on `origin` (scheme, host and port), e.g. the daemon's http://127.0.0.1:7780. */
export function sameOrigin(url: string, origin: string): boolean {
  try {
    return new URL(url).origin === new URL(origin).origin;
  } catch {
    return false;
  }
}

/** A link the system browser may open: http, https or mailto only. */
export function externalUrl(url: string): boolean {
  try {
    return ['http:', 'https:', 'mailto:'].includes(new URL(url).protocol);
  } catch {
    return false;
  }
}

export interface WindowState {
  x?: number;
  y?: number;
  width: number;
  height: number;
  maximized: boolean;
}

export const DEFAULT_WINDOW: WindowState = { width: 1280, height: 860, maximized: false };
const MIN_SIZE = { width: 640, height: 480 };
const MAX_SIZE = 100_000;

const int = (v: unknown, min: number, max: number): number | undefined => (typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max ? v : undefined);

/** The saved window state (window.json), or the default when it is missing or damaged. */
export function parseWindowState(v: unknown): WindowState {
  if (!isRecord(v)) return { ...DEFAULT_WINDOW };
  const width = int(v.width, MIN_SIZE.width, MAX_SIZE);
  const height = int(v.height, MIN_SIZE.height, MAX_SIZE);
  if (width === undefined || height === undefined) return { ...DEFAULT_WINDOW };
  const x = int(v.x, -MAX_SIZE, MAX_SIZE);
  const y = int(v.y, -MAX_SIZE, MAX_SIZE);
  return { ...(x === undefined || y === undefined ? {} : { x, y }), width, height, maximized: v.maximized === true };
}

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Keeps a saved position only when enough of the window (100 × 50 px) shows on one of the work areas. */
export function visibleState(state: WindowState, workAreas: Rect[]): WindowState {
  if (state.x === undefined || state.y === undefined) return state;
  const { x, y } = state;
  const shows = workAreas.some((a) => Math.min(x + state.width, a.x + a.width) - Math.max(x, a.x) >= 100 && Math.min(y + state.height, a.y + a.height) - Math.max(y, a.y) >= 50);
  if (shows) return state;
  return { width: state.width, height: state.height, maximized: state.maximized };
}

export class ShellUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ShellUsageError';
  }
}

export interface ShellArgs {
  labDir?: string;
  port?: number;
  deploy: boolean;
  keepDaemon: boolean;
}

/**
 * The shell's own options among its arguments: --lab-dir DIR, --port N,
 * --no-deploy, --keep-daemon. Anything else (Chromium switches, the daemon's
 * --deploy and --open that `npm start` may pass on) is ignored.
 */
export function parseShellArgs(argv: string[]): ShellArgs {
  const args: ShellArgs = { deploy: true, keepDaemon: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    const eq = a.indexOf('=');
    const [flag, inline] = a.startsWith('--') && eq > 0 ? [a.slice(0, eq), a.slice(eq + 1)] : [a, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === '') throw new ShellUsageError(`${flag} needs a value`);
      return v;
    };
    if (flag === '--lab-dir') args.labDir = value();
    else if (flag === '--port') {
      const v = value();
      const port = /^\d{1,5}$/.test(v) ? Number(v) : NaN;
      if (!(port >= 0 && port <= 65535)) throw new ShellUsageError(`--port takes a port number (0-65535), not "${v}"`);
      args.port = port;
    } else if (flag === '--no-deploy') args.deploy = false;
    else if (flag === '--keep-daemon') args.keepDaemon = true;
  }
  return args;
}
