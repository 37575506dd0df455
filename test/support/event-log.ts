// Collects a daemon's event stream and lets a test await the first event
// (already received or still to come) that matches.
import type { DaemonClient } from '../../daemon/daemon-client.ts';
import type { LabEvent } from '../../daemon/events/lab-event.ts';

export class EventLog {
  readonly events: LabEvent[] = [];
  private readonly waiters = new Set<{ match: (e: LabEvent) => boolean; resolve: (e: LabEvent) => void }>();
  private stream: { close: () => void } | undefined;

  static async follow(client: DaemonClient): Promise<EventLog> {
    const log = new EventLog();
    const s = client.events(0, (e) => log.push(e));
    await s.ready;
    log.stream = s;
    return log;
  }

  private push(e: LabEvent): void {
    this.events.push(e);
    for (const w of this.waiters) {
      if (w.match(e)) {
        this.waiters.delete(w);
        w.resolve(e);
      }
    }
  }

  /** The first matching event after `afterSeq`, waiting up to `timeoutMs`. */
  waitFor(match: (e: LabEvent) => boolean, timeoutMs = 60_000, afterSeq = 0): Promise<LabEvent> {
    const seen = this.events.find((e) => e.seq > afterSeq && match(e));
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const waiter = {
        match: (e: LabEvent) => e.seq > afterSeq && match(e),
        resolve: (e: LabEvent) => {
          clearTimeout(timer);
          resolve(e);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        const tail = this.events
          .slice(-15)
          .map((e) => `${e.seq} ${e.node} ${e.type} ${JSON.stringify(e.payload).slice(0, 160)}`)
          .join('\n');
        reject(new Error(`no matching event within ${timeoutMs} ms; last events:\n${tail}`));
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  get lastSeq(): number {
    return this.events.at(-1)?.seq ?? 0;
  }

  close(): void {
    this.stream?.close();
  }
}
