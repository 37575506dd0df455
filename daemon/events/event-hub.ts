// The lab's one ordered stream: every producer (node streams, tasks,
// supervision) hands its events here; the hub numbers them, keeps a bounded
// history so a freshly opened UI catches up, and fans them out.
import type { LabEvent, LabEventInput } from './lab-event.ts';

export class EventHub {
  private seq = 0;
  private readonly history: LabEvent[] = [];
  private readonly listeners = new Set<(e: LabEvent) => void>();

  constructor(private readonly capacity = 5000) {}

  emit(input: LabEventInput): LabEvent {
    const event: LabEvent = { seq: ++this.seq, time: input.time ?? Date.now(), node: input.node, type: input.type, payload: input.payload };
    this.history.push(event);
    if (this.history.length > this.capacity) this.history.splice(0, this.history.length - this.capacity);
    for (const l of this.listeners) l(event);
    return event;
  }

  /** Events after `seq` still in the history, oldest first. */
  since(seq: number): LabEvent[] {
    const first = this.history.findIndex((e) => e.seq > seq);
    return first < 0 ? [] : this.history.slice(first);
  }

  get lastSeq(): number {
    return this.seq;
  }

  subscribe(listener: (e: LabEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
