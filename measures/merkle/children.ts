// Runs one measurement in a fresh Node process (same flags as this one) and
// returns the JSON line it prints: each N and each tree gets its own peak RSS.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export function runChild<T>(script: string, args: string[]): Promise<T> {
  const path = fileURLToPath(new URL(script, import.meta.url));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, path, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const last = out.trim().split('\n').pop() ?? '';
      if (code !== 0) reject(new Error(`${script} ${args.join(' ')} exited with ${code}: ${err.trim().split('\n').slice(-5).join(' | ')}`));
      else {
        try {
          resolve(JSON.parse(last) as T);
        } catch {
          reject(new Error(`${script} ${args.join(' ')} printed no JSON result: ${last.slice(0, 200)}`));
        }
      }
    });
  });
}
