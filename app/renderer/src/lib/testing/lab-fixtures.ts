// Test data for the Lab and Plugins views: the daemon's own default
// topology (three PVs: PV1 wf+term, PV2 wf+fx, PV3 cc+ok) and lab events
// numbered in order.
import type { LabEvent, Topology } from '../api-types.ts';
import { defaultTopology } from '../../../../../daemon/state/topology.ts';

export function labTopology(): Topology {
  return defaultTopology();
}

let seq = 0;

/** A lab event with the next sequence number; its time follows the number unless given. */
export function labEvent(node: string, type: string, payload: Record<string, unknown> = {}, time?: number): LabEvent {
  seq += 1;
  return { seq, time: time ?? 1000 + seq, node, type, payload };
}
