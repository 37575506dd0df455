// The lab's nodes as the Lab view shows them: the daemon's status of each,
// kept current between refreshes by its supervision events (node-starting,
// node-healthy, …), and one card per node of the topology even before it runs.
import type { LabEvent, NodeHealth, NodeStatus, Topology } from './api-types.ts';

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

export const NODE_EVENTS = ['node-starting', 'node-healthy', 'node-unhealthy', 'node-exited', 'node-restarting', 'node-failed', 'node-stopped'] as const;

export function isNodeEvent(e: LabEvent): boolean {
  return (NODE_EVENTS as readonly string[]).includes(e.type);
}

/** How a process ended, as the daemon words it. */
export function exitText(exit: NonNullable<NodeStatus['lastExit']>): string {
  return exit.signal === null ? `exited with code ${String(exit.code)}` : `was killed by ${exit.signal}`;
}

function withoutPid(n: NodeStatus): NodeStatus {
  const { pid: _pid, ...rest } = n;
  return rest;
}

function update(n: NodeStatus, e: LabEvent): NodeStatus {
  const p = e.payload;
  const pid = num(p.pid);
  switch (e.type) {
    case 'node-starting': {
      const { detail: _detail, ...rest } = n;
      return { ...withoutPid(rest), health: 'starting', startedMs: e.time, restarts: num(p.restarts) ?? n.restarts, ...(pid === undefined ? {} : { pid }) };
    }
    case 'node-healthy': {
      const { detail: _detail, ...rest } = n;
      return { ...rest, health: 'healthy', ...(pid === undefined ? {} : { pid }) };
    }
    case 'node-unhealthy':
      return { ...n, health: 'unhealthy', detail: str(p.reason) ?? 'health checks fail' };
    case 'node-exited':
      return { ...withoutPid(n), lastExit: { code: num(p.code) ?? null, signal: str(p.signal) ?? null, timeMs: e.time } };
    case 'node-restarting': {
      const delay = num(p.delayMs);
      const after = n.lastExit === undefined ? '' : ` after it ${exitText(n.lastExit)}`;
      return { ...withoutPid(n), health: 'restarting', detail: `restart ${num(p.attempt) ?? '?'}${delay === undefined ? '' : ` in ${delay} ms`}${after}` };
    }
    case 'node-failed':
      return { ...withoutPid(n), health: 'failed', detail: str(p.reason) ?? 'failed' };
    case 'node-stopped': {
      const { detail: _detail, ...rest } = withoutPid(n);
      return { ...rest, health: 'stopped' };
    }
    default:
      return n;
  }
}

/** Applies a node-* event to the node it is about (a node not listed yet is added). */
export function applyNodeEvent(nodes: readonly NodeStatus[], e: LabEvent, prId: string): NodeStatus[] {
  if (!isNodeEvent(e)) return nodes as NodeStatus[];
  const i = nodes.findIndex((n) => n.id === e.node);
  const base: NodeStatus = nodes[i] ?? { id: e.node, role: e.node === prId ? 'pr' : 'pv', health: 'stopped', url: '', restarts: 0 };
  const next = update(base, e);
  return i < 0 ? [...nodes, next] : nodes.map((n, j) => (j === i ? next : n));
}

/** What the Lab view shows for a node that does not run: it is stopped, and has no URL yet. */
export function idleNode(id: string, role: 'pr' | 'pv'): NodeStatus {
  return { id, role, health: 'stopped', url: '', restarts: 0 };
}

/** One entry per node: the topology's PR then PVs (idle when not running), then any other node the daemon reports. */
export function nodeCards(topology: Topology | undefined, nodes: readonly NodeStatus[]): NodeStatus[] {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const planned: [string, 'pr' | 'pv'][] = topology === undefined ? [] : [[topology.pr.id, 'pr'], ...topology.pvs.map((p): [string, 'pv'] => [p.id, 'pv'])];
  const cards = planned.map(([id, role]) => byId.get(id) ?? idleNode(id, role));
  const shown = new Set(cards.map((c) => c.id));
  return [...cards, ...nodes.filter((n) => !shown.has(n.id))];
}

export function healthTone(h: NodeHealth): 'ok' | 'warn' | 'fail' | 'info' | '' {
  switch (h) {
    case 'healthy':
      return 'ok';
    case 'starting':
    case 'restarting':
      return 'info';
    case 'unhealthy':
      return 'warn';
    case 'failed':
      return 'fail';
    default:
      return '';
  }
}

/** A node event as one log line, appended to the node's log while it is open. */
export function eventLine(e: LabEvent): string {
  const payload = Object.keys(e.payload).length === 0 ? '' : ` ${JSON.stringify(e.payload)}`;
  return `[${new Date(e.time).toISOString()}] event ${e.type}${payload}`;
}
