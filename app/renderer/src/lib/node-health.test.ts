import { describe, expect, it } from 'vitest';
import type { LabEvent, NodeStatus } from './api-types.ts';
import { applyNodeEvent, eventLine, exitText, healthTone, nodeCards } from './node-health.ts';
import { labEvent, labTopology } from './testing/lab-fixtures.ts';

const ev = labEvent;
const fold = (events: LabEvent[], nodes: NodeStatus[] = []): NodeStatus[] => events.reduce((n, e) => applyNodeEvent(n, e, 'PR'), nodes);

describe('node health', () => {
  it('follows a node through start, health, a crash and its restart', () => {
    const start: NodeStatus[] = [{ id: 'PV1', role: 'pv', health: 'stopped', url: 'https://127.0.0.1:7101', restarts: 0 }];
    let nodes = fold([ev('PV1', 'node-starting', { pid: 11, restarts: 0 }, 100), ev('PV1', 'node-healthy', { pid: 11 }, 200)], start);
    expect(nodes[0]).toEqual({ id: 'PV1', role: 'pv', health: 'healthy', url: 'https://127.0.0.1:7101', restarts: 0, pid: 11, startedMs: 100 });
    nodes = fold([ev('PV1', 'node-exited', { code: null, signal: 'SIGKILL' }, 300), ev('PV1', 'node-restarting', { attempt: 1, delayMs: 500 }, 300)], nodes);
    expect(nodes[0]).toMatchObject({ health: 'restarting', lastExit: { code: null, signal: 'SIGKILL', timeMs: 300 }, detail: 'restart 1 in 500 ms after it was killed by SIGKILL' });
    expect(nodes[0]?.pid).toBeUndefined();
    nodes = fold([ev('PV1', 'node-starting', { pid: 12, restarts: 1 }, 800), ev('PV1', 'node-healthy', { pid: 12 }, 900)], nodes);
    expect(nodes[0]).toMatchObject({ health: 'healthy', pid: 12, restarts: 1, startedMs: 800 });
    expect(nodes[0]?.detail).toBeUndefined();
  });

  it('records why a node is unhealthy or failed, and a stop', () => {
    let nodes = fold([ev('PR', 'node-starting', { pid: 5, restarts: 0 }), ev('PR', 'node-unhealthy', { reason: 'ECONNREFUSED' })]);
    expect(nodes[0]).toMatchObject({ id: 'PR', role: 'pr', health: 'unhealthy', detail: 'ECONNREFUSED' });
    nodes = fold([ev('PR', 'node-failed', { reason: 'exited with code 1, after 10 failed restarts in a row' })], nodes);
    expect(nodes[0]).toMatchObject({ health: 'failed', detail: 'exited with code 1, after 10 failed restarts in a row' });
    nodes = fold([ev('PR', 'node-stopped')], nodes);
    expect(nodes[0]?.health).toBe('stopped');
    expect(nodes[0]?.detail).toBeUndefined();
  });

  it('ignores events that are not about supervision', () => {
    const nodes: NodeStatus[] = [];
    expect(applyNodeEvent(nodes, ev('PV1', 'decision', { valid: true }), 'PR')).toBe(nodes);
  });

  it('has a card for every node of the topology, in its order, and for any other node running', () => {
    const cards = nodeCards(labTopology(), [
      { id: 'PV2', role: 'pv', health: 'healthy', url: 'u2', restarts: 0 },
      { id: 'PV9', role: 'pv', health: 'stopped', url: 'u9', restarts: 0 },
    ]);
    expect(cards.map((c) => [c.id, c.health])).toEqual([
      ['PR', 'stopped'],
      ['PV1', 'stopped'],
      ['PV2', 'healthy'],
      ['PV3', 'stopped'],
      ['PV9', 'stopped'],
    ]);
    expect(cards[0]?.role).toBe('pr');
  });

  it('words exits, tones and event lines', () => {
    expect(exitText({ code: 1, signal: null, timeMs: 0 })).toBe('exited with code 1');
    expect(healthTone('healthy')).toBe('ok');
    expect(healthTone('failed')).toBe('fail');
    expect(healthTone('stopped')).toBe('');
    expect(eventLine(ev('PV1', 'node-healthy', { pid: 3 }, 0))).toBe('[1970-01-01T00:00:00.000Z] event node-healthy {"pid":3}');
  });
});
