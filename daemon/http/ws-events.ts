// The live event stream over WebSocket at /api/events: the same Host,
// Origin and token checks as the API, history after `?after=seq` first, then
// every event as one JSON text message. A client that cannot keep up is
// disconnected rather than buffered without bound; it reconnects with
// ?after= its last seq.
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { EventHub } from '../events/event-hub.ts';
import type { DaemonAuth } from './auth.ts';

const MAX_BUFFERED = 8 * 1024 * 1024;

function refuse(socket: Duplex, status: number, reason: string): void {
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
}

export function attachEventSocket(server: Server, hub: EventHub, auth: DaemonAuth): WebSocketServer {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 4096 });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://daemon');
    if (url.pathname !== '/api/events') return refuse(socket, 404, 'Not Found');
    if (!auth.hostAllowed(req.headers.host) || !auth.originAllowed(req.headers.origin)) return refuse(socket, 403, 'Forbidden');
    if (!auth.authenticated(req)) return refuse(socket, 401, 'Unauthorized');
    const after = Number(url.searchParams.get('after') ?? '0');
    wss.handleUpgrade(req, socket, head, (ws) => follow(ws, hub, Number.isSafeInteger(after) && after >= 0 ? after : 0));
  });
  return wss;
}

function follow(ws: WebSocket, hub: EventHub, after: number): void {
  const send = (data: unknown): void => {
    if (ws.bufferedAmount > MAX_BUFFERED) {
      ws.close(1013, 'too slow: reconnect with ?after=<last seq>');
      return;
    }
    ws.send(JSON.stringify(data));
  };
  for (const e of hub.since(after)) send(e);
  const unsubscribe = hub.subscribe(send);
  // Liveness: a peer that stops answering pings is dropped.
  let alive = true;
  ws.on('pong', () => {
    alive = true;
  });
  const ping = setInterval(() => {
    if (!alive) return ws.terminate();
    alive = false;
    ws.ping();
  }, 30_000);
  ws.on('close', () => {
    clearInterval(ping);
    unsubscribe();
  });
  ws.on('message', () => undefined);
}
