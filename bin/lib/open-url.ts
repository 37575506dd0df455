// Opens a URL in the desktop's browser when there is one; otherwise the
// caller prints it.
import { spawn } from 'node:child_process';

export function canOpenBrowser(): boolean {
  return process.platform === 'linux' ? (process.env.DISPLAY ?? process.env.WAYLAND_DISPLAY ?? '') !== '' : true;
}

export function openUrl(url: string): boolean {
  if (!canOpenBrowser()) return false;
  const cmd = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  try {
    const child = spawn(cmd, [url], { detached: true, stdio: 'ignore' });
    child.on('error', () => undefined);
    child.unref();
    return true;
  } catch {
    return false;
  }
}
