// Keeps the lab's CRL current: the nodes refuse every peer once the CRL they
// read has expired, so the daemon re-signs it when less than a third of its
// lifetime is left: when it starts, before each deploy, and every hour while
// it runs (local nodes re-read the file when it changes).
import type { CrlState, LabCa } from '../certs/lab-ca.ts';
import type { EmitLabEvent } from './events/lab-event.ts';

const CHECK_EVERY_MS = 3_600_000;

export class CrlKeeper {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly ca: LabCa,
    private readonly emit: EmitLabEvent,
  ) {}

  /** Re-signs the CRL if it is due; the new CRL's state when it was. */
  check(nowMs = Date.now()): CrlState | undefined {
    const renewed = this.ca.refreshCrl(nowMs);
    if (renewed !== undefined) {
      this.emit({
        node: 'daemon',
        type: 'crl-renewed',
        payload: { crlNumber: renewed.crlNumber, nextUpdate: new Date(renewed.nextUpdateMs).toISOString(), validityDays: renewed.validityDays },
      });
    }
    return renewed;
  }

  /** As `check`, with a failure reported on the event stream instead of thrown. */
  checkOrReport(): void {
    try {
      this.check();
    } catch (e) {
      // The CA key may be unreadable for now (e.g. a passphrase-protected CA); the next check tries again.
      this.emit({ node: 'daemon', type: 'error', payload: { message: `the CRL could not be renewed: ${(e as Error).message}` } });
    }
  }

  /** Checks every hour until `stop`; the timer does not keep the process alive. */
  start(): void {
    this.timer ??= setInterval(() => this.checkOrReport(), CHECK_EVERY_MS).unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
