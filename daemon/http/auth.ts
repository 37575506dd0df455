// Who may talk to the daemon: requests must name the daemon's own loopback
// address in Host (so a web page cannot reach it through DNS rebinding) and
// carry the per-install token, as a bearer header or as the cookie set by a
// one-time login URL (so a browser never needs the token in its address bar).
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';

export const COOKIE = 'spms_lab_token';
const LOGIN_CODE_TTL_MS = 10 * 60_000;

/** Reads the install's token, creating it (0600) on first start. */
export function loadOrCreateToken(file: string): string {
  try {
    const t = readFileSync(file, 'utf8').trim();
    if (/^[A-Za-z0-9_-]{32,}$/.test(t)) return t;
  } catch {
    // first start: create it below
  }
  const token = randomBytes(32).toString('base64url');
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return token;
}

function equalSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

export class DaemonAuth {
  private readonly loginCodes = new Map<string, number>();
  private port = 0;

  constructor(readonly token: string) {}

  /** Set once the daemon listens: Host must name this port. */
  setPort(port: number): void {
    this.port = port;
  }

  hostAllowed(host: string | undefined): boolean {
    if (host === undefined || this.port === 0) return false;
    return [`127.0.0.1:${this.port}`, `localhost:${this.port}`, `[::1]:${this.port}`].includes(host.toLowerCase());
  }

  /** A browser page may only be on the daemon's own origin (or send no Origin, as non-browser clients do). */
  originAllowed(origin: string | undefined): boolean {
    if (origin === undefined) return true;
    try {
      const u = new URL(origin);
      return u.protocol === 'http:' && this.hostAllowed(u.host);
    } catch {
      return false;
    }
  }

  authenticated(req: IncomingMessage): boolean {
    const auth = req.headers.authorization;
    if (auth !== undefined && auth.startsWith('Bearer ') && equalSecret(auth.slice(7).trim(), this.token)) return true;
    const cookie = cookieValue(req.headers.cookie, COOKIE);
    return cookie !== undefined && equalSecret(cookie, this.token);
  }

  /** A code that logs one browser in once, within ten minutes. */
  newLoginCode(): string {
    const now = Date.now();
    for (const [c, exp] of this.loginCodes) if (exp < now) this.loginCodes.delete(c);
    const code = randomBytes(18).toString('base64url');
    this.loginCodes.set(code, now + LOGIN_CODE_TTL_MS);
    return code;
  }

  redeemLoginCode(code: string): boolean {
    const exp = this.loginCodes.get(code);
    if (exp === undefined) return false;
    this.loginCodes.delete(code);
    return exp >= Date.now();
  }

  cookieHeader(): string {
    return `${COOKIE}=${encodeURIComponent(this.token)}; HttpOnly; SameSite=Strict; Path=/`;
  }
}
