// One health check of a node: GET {url}/healthz over HTTPS, trusting only the
// lab's root. Answers why the node is not healthy instead of throwing.
import { request } from 'node:https';

export type HealthAnswer = { ok: true } | { ok: false; reason: string };

export function probeHealth(url: string, caPem: string, timeoutMs: number): Promise<HealthAnswer> {
  return new Promise((resolve) => {
    // A fresh connection each time: a pooled socket could answer for a process that has since been replaced.
    const req = request(`${url}/healthz`, { ca: caPem, agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode === 200 ? { ok: true } : { ok: false, reason: `/healthz answered ${String(res.statusCode)}` });
    });
    req.on('timeout', () => req.destroy(new Error(`/healthz did not answer within ${timeoutMs} ms`)));
    req.on('error', (e) => resolve({ ok: false, reason: e.message }));
    req.end();
  });
}
