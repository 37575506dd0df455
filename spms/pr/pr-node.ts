// The Plugin Repository as one long-running process: HTTPS gateway, MQTT
// broker (embedded or external) and SQLite store, wired together.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ArchiveStore } from './archive-store.ts';
import { connectExternalBroker, startEmbeddedBroker, type Announcer } from './broker.ts';
import { ClientAuth } from './client-auth.ts';
import type { PrConfig } from './config.ts';
import { Gateway } from './gateway.ts';
import { openPrDatabase, type PrDatabase } from './pr-db.ts';
import { PrEvents } from './pr-events.ts';
import { PvRecords } from './pv-records.ts';
import { Registry } from './registry.ts';

export class PrNode {
  port = 0;
  private announcer: Announcer | undefined;
  private stopping: Promise<void> | undefined;

  private constructor(
    readonly config: PrConfig,
    readonly db: PrDatabase,
    readonly events: PrEvents,
    private readonly gateway: Gateway,
  ) {}

  static async start(config: PrConfig, opts: { events?: PrEvents } = {}): Promise<PrNode> {
    const tls = { cert: readFileSync(config.tls.cert), key: readFileSync(config.tls.key), ca: readFileSync(config.tls.ca) };
    const auth = new ClientAuth(tls.ca.toString('utf8'), config.tls.crl);
    const events = opts.events ?? new PrEvents(config.id);
    const db = openPrDatabase(config.dataDir);
    let announcer: Announcer | undefined;
    const gateway = new Gateway(
      {
        id: config.id,
        registry: new Registry(db),
        pvs: new PvRecords(db),
        archives: new ArchiveStore(join(config.dataDir, 'archives')),
        auth,
        events,
        announcer: () => announcer,
        limits: config.limits,
        ...(config.eventsToken === undefined ? {} : { eventsToken: config.eventsToken }),
      },
      tls,
    );
    const node = new PrNode(config, db, events, gateway);
    try {
      announcer =
        config.mqtt.mode === 'embedded'
          ? await startEmbeddedBroker({ host: config.mqtt.host, port: config.mqtt.port, tls, auth, events })
          : connectExternalBroker(config.mqtt.url, tls, `spms-pr-${config.id}`);
      node.announcer = announcer;
      node.port = await gateway.listen(config.listen.port, config.listen.host);
    } catch (e) {
      await node.stop();
      throw e;
    }
    events.emit('started', { port: node.port, mqtt: announcer.url, dataDir: config.dataDir });
    return node;
  }

  get url(): string {
    const host = this.config.listen.host;
    return `https://${host.includes(':') ? `[${host}]` : host}:${this.port}`;
  }

  get mqttUrl(): string | undefined {
    return this.announcer?.url;
  }

  /** Stops accepting, closes the broker and the database; safe to call twice. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.events.emit('stopping', {});
      await this.gateway.close();
      await this.announcer?.close();
      this.db.close();
    })();
    return this.stopping;
  }
}
