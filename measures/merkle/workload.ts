// The benchmark's workload, generated deterministically from N so that every
// tree (ours, the seed's, the npm peers), each in its own process, works on
// exactly the same names, bindings, epoch changes and probes.

/** Proofs measured per kind (inclusion, absence) at every N. */
export const PROBES_PER_KIND = 10_000;

export type Change = { name: string; bindingHash: Uint8Array } | { name: string; remove: true };

export interface Workload {
  n: number;
  /** Epoch 0: N names with their binding hashes. */
  initial: { name: string; bindingHash: Uint8Array }[];
  /** Epoch 1: 1% of N changes, half updates, a quarter removals, a quarter insertions. */
  changes: Change[];
  /** Names present after epoch 1 with their current binding (repeated to PROBES_PER_KIND when N is small). */
  inclusion: { name: string; bindingHash: Uint8Array }[];
  /** Names never inserted. */
  absence: string[];
}

export function nameOf(i: number): string {
  return `be.dev${i % 4096}.plugin_${i}`;
}

/** 32 pseudo-random bytes for (name number, binding version): stands in for the binding hash. */
export function bindingOf(i: number, version: number): Uint8Array {
  const out = new Uint8Array(32);
  let s = (Math.imul(i, 0x9e3779b1) ^ Math.imul(version, 0x85ebca6b)) >>> 0;
  for (let k = 0; k < 32; k += 4) {
    // mulberry32 steps
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    t ^= t >>> 14;
    out[k] = t >>> 24;
    out[k + 1] = (t >>> 16) & 0xff;
    out[k + 2] = (t >>> 8) & 0xff;
    out[k + 3] = t & 0xff;
  }
  return out;
}

export function changeCounts(n: number): { updates: number; removals: number; insertions: number } {
  const total = Math.max(4, Math.round(n / 100));
  const updates = Math.floor(total / 2);
  const removals = Math.floor(total / 4);
  return { updates, removals, insertions: total - updates - removals };
}

export function makeWorkload(n: number): Workload {
  const initial = new Array<{ name: string; bindingHash: Uint8Array }>(n);
  for (let i = 0; i < n; i++) initial[i] = { name: nameOf(i), bindingHash: bindingOf(i, 1) };

  // Updates hit names 0, 100, 200, ...; removals 50, 150, ...: spread over the
  // whole index space since indexes are hashes of the names.
  const { updates, removals, insertions } = changeCounts(n);
  const version = new Uint8Array(n + insertions).fill(1);
  const removed = new Uint8Array(n + insertions);
  const changes: Change[] = [];
  for (let j = 0; j < updates; j++) {
    const i = j * 100;
    version[i] = 2;
    changes.push({ name: nameOf(i), bindingHash: bindingOf(i, 2) });
  }
  for (let j = 0; j < removals; j++) {
    const i = j * 100 + 50;
    removed[i] = 1;
    changes.push({ name: nameOf(i), remove: true });
  }
  for (let j = 0; j < insertions; j++) changes.push({ name: nameOf(n + j), bindingHash: bindingOf(n + j, 1) });

  const present = n + insertions;
  const inclusion: { name: string; bindingHash: Uint8Array }[] = [];
  // A stride coprime with most N visits the names in scattered order.
  for (let k = 0; inclusion.length < PROBES_PER_KIND; k++) {
    const i = (k * 7919) % present;
    if (removed[i] === 1) continue;
    inclusion.push({ name: nameOf(i), bindingHash: bindingOf(i, version[i] as number) });
  }
  const absence: string[] = [];
  for (let k = 0; k < PROBES_PER_KIND; k++) absence.push(nameOf(present + k));
  return { n, initial, changes, inclusion, absence };
}
