// STR signatures checked in the browser (Ed25519 under the PV's certified
// key), a few milliseconds of work at a time so a long chain never blocks
// the page; results are reactive.
import { SvelteMap } from 'svelte/reactivity';
import { fromHex, strFromJson, verifyStrSignature } from '../../../../spms/core/index.ts';
import type { StrJson } from './api-types.ts';
import { strJsonOf } from './epoch-timeline.ts';

/** Whether `s` is signed by `publicKeyHex`; false for anything malformed. */
export function checkStrSignature(s: StrJson, publicKeyHex: string): boolean {
  try {
    return verifyStrSignature(strFromJson(strJsonOf(s)), fromHex(publicKeyHex));
  } catch {
    return false;
  }
}

const SLICE_MS = 12;

export class StrSignatureChecks {
  private readonly results = new SvelteMap<string, boolean>();
  private readonly queued = new Map<string, { str: StrJson; key: string }>();
  private timer: ReturnType<typeof setTimeout> | undefined;

  private static id(s: StrJson, key: string): string {
    return `${key}/${s.signature}/${s.epoch}`;
  }

  /** true or false once checked, undefined while pending. */
  result(s: StrJson, key: string): boolean | undefined {
    return this.results.get(StrSignatureChecks.id(s, key));
  }

  /** Queues every STR not checked yet. */
  request(strs: readonly StrJson[], key: string): void {
    for (const s of strs) {
      const id = StrSignatureChecks.id(s, key);
      if (!this.results.has(id) && !this.queued.has(id)) this.queued.set(id, { str: s, key });
    }
    if (this.queued.size > 0 && this.timer === undefined) this.timer = setTimeout(() => this.run(), 0);
  }

  stop(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.queued.clear();
  }

  private run(): void {
    this.timer = undefined;
    const start = performance.now();
    for (const [id, job] of this.queued) {
      this.queued.delete(id);
      this.results.set(id, checkStrSignature(job.str, job.key));
      if (performance.now() - start > SLICE_MS) break;
    }
    if (this.queued.size > 0) this.timer = setTimeout(() => this.run(), 0);
  }
}
