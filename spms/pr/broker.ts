// Announcements over MQTT (DESIGN §4): either an aedes broker embedded in the
// PR, over TLS with client certificates checked against the lab CA and CRL,
// or an external broker the PR publishes to with its own certificate. Only
// the PR publishes; clients may subscribe to the announcement topics only.
import { createServer, type Server, type TLSSocket } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { Aedes, type AuthenticateError } from 'aedes';
import mqtt from 'mqtt';
import type { ClientAuth } from './client-auth.ts';
import type { PrEvents } from './pr-events.ts';

export const TOPIC_ALL = 'spms/v1/plugins/all';
export const topicForVerifier = (id: string): string => `spms/v1/plugins/verifier/${id}`;
export const topicForProperty = (name: string): string => `spms/v1/plugins/property/${name}`;

/** A topic segment for a verifier id or property name: the characters the PV config allows. */
export const TOPIC_SEGMENT = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/;

/** Subscriptions a client may make: the announcement topics, one segment or a wildcard. */
const SUBSCRIBABLE = /^spms\/v1\/plugins\/(all|#|(verifier|property)\/(\+|[A-Za-z_][A-Za-z0-9_.-]{0,63}))$/;

export interface Announcer {
  /** Where subscribers connect. */
  readonly url: string;
  publish(topics: readonly string[], payload: unknown): Promise<void>;
  close(): Promise<void>;
}

export interface TlsFiles {
  cert: string | Buffer;
  key: string | Buffer;
  ca: string | Buffer;
}

export async function startEmbeddedBroker(opts: { host: string; port: number; tls: TlsFiles; auth: ClientAuth; events: PrEvents }): Promise<Announcer> {
  const broker = await Aedes.createBroker({
    authenticate(client, _username, _password, done) {
      try {
        const cert = opts.auth.verifySocket(client.conn as TLSSocket, ['pv', 'daemon', 'pr']);
        opts.events.emit('mqtt-client', { client: client.id, holder: cert.commonName, role: cert.role });
        done(null, true);
      } catch (e) {
        opts.events.emit('client-refused', { via: 'mqtt', client: client.id, reason: (e as Error).message });
        const err = new Error((e as Error).message) as AuthenticateError;
        err.returnCode = 5; // not authorized
        done(err, false);
      }
    },
    authorizePublish(client, _packet, callback) {
      // Publications from the PR itself come with no client.
      callback(client === null ? null : new Error('only the PR publishes on this broker'));
    },
    authorizeSubscribe(_client, subscription, callback) {
      // A refused topic is granted as failure (0x80), which the subscriber sees.
      callback(null, SUBSCRIBABLE.test(subscription.topic) ? subscription : null);
    },
  });
  const open = new Set<TLSSocket>();
  const server: Server = createServer({ ...opts.tls, requestCert: true, rejectUnauthorized: true, minVersion: 'TLSv1.2' }, (socket) => {
    open.add(socket);
    socket.on('close', () => open.delete(socket));
    broker.handle(socket);
  });
  // A client that fails the TLS handshake is refused before MQTT starts.
  server.on('tlsClientError', (e) => opts.events.emit('client-refused', { via: 'mqtt-tls', reason: e.message }));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `mqtts://${opts.host.includes(':') ? `[${opts.host}]` : opts.host}:${port}`,
    publish(topics, payload) {
      const body = Buffer.from(JSON.stringify(payload));
      return Promise.all(
        topics.map((topic) => new Promise<void>((resolve, reject) => broker.publish({ cmd: 'publish', topic, payload: body, qos: 1, retain: false, dup: false }, (e) => (e ? reject(e) : resolve())))),
      ).then(() => undefined);
    },
    close() {
      return new Promise<void>((resolve) => {
        broker.close(() => {
          server.close(() => resolve());
          // Connected subscribers would keep the server open.
          for (const socket of open) socket.destroy();
        });
      });
    },
  };
}

/** Publishing to an external broker; while it is unreachable, mqtt.js queues and PVs catch up over HTTP. */
export function connectExternalBroker(url: string, tls: TlsFiles, clientId: string): Announcer {
  const client = mqtt.connect(url, { ...tls, clientId, reconnectPeriod: 1000, connectTimeout: 10_000 });
  // Reconnection is automatic; errors are reported by the publishes that fail.
  client.on('error', () => undefined);
  return {
    url,
    async publish(topics, payload) {
      const body = JSON.stringify(payload);
      await Promise.all(topics.map((topic) => client.publishAsync(topic, body, { qos: 1 })));
    },
    async close() {
      await client.endAsync(true);
    },
  };
}
