// Node-only Transport: HTTPS that trusts the lab's root CA (and optionally
// presents a client certificate). Not part of the browser bundle.
import { request } from 'node:https';
import type { Transport } from './transport.ts';
import { TransportError } from './transport.ts';

export interface NodeTlsOptions {
  ca: string | Buffer;
  cert?: string | Buffer;
  key?: string | Buffer;
  timeoutMs?: number;
}

export function nodeTransport(tls: NodeTlsOptions): Transport {
  return {
    request(method, url, opts = {}) {
      return new Promise((resolve, reject) => {
        const headers: Record<string, string | number> = {};
        if (opts.accept !== undefined) headers.accept = opts.accept;
        if (opts.contentType !== undefined) headers['content-type'] = opts.contentType;
        if (opts.body !== undefined) headers['content-length'] = opts.body.length;
        const req = request(url, { method, headers, ca: tls.ca, cert: tls.cert, key: tls.key, timeout: tls.timeoutMs ?? 15_000 }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), body: new Uint8Array(Buffer.concat(chunks)) }));
          res.on('error', (e) => reject(new TransportError('unreachable', `${url}: ${e.message}`)));
        });
        req.on('timeout', () => req.destroy(new Error('timed out')));
        req.on('error', (e) => reject(new TransportError('unreachable', `cannot reach ${url}: ${e.message}`)));
        req.end(opts.body);
      });
    },
  };
}
