// One event of the lab's single ordered stream, as UI clients receive it.
// `node` is the node it is about ("PR", "PV1", …) or "daemon" for the
// daemon's own events (tasks, deployment, node supervision).
export interface LabEvent {
  /** Position in the daemon's stream, strictly increasing. */
  seq: number;
  /** Milliseconds since the epoch, when the event happened (the node's clock for node events). */
  time: number;
  node: string;
  /** The node's own event type (e.g. "announcement", "epoch-published") or a daemon type (e.g. "task-progress", "node-restarting"). */
  type: string;
  payload: Record<string, unknown>;
}

/** An event before the daemon gives it its place in the stream. */
export type LabEventInput = Omit<LabEvent, 'seq' | 'time'> & { time?: number };

/** Where producers (providers, tasks, node stream subscribers) hand their events. */
export type EmitLabEvent = (event: LabEventInput) => void;
