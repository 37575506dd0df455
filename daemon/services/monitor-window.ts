// Monitoring one PV over a window of its epochs. A PV serves at most 1000
// epochs per request, so the window is checked in spans of 1000, the
// monitor's state carried from one span to the next so the chain is verified
// across them.
import { monitorNames, type Alert, type MonitorTarget, type NameObservation, type PvMonitorState } from '../../spms/client/monitor.ts';
import type { EpochWindow } from './monitor-request.ts';

/** What a PV serves per request (spms/pv's user gateway). */
export const SPAN = 1000;

/** The epochs to check on a PV whose chain ends at `latest`, or undefined when the window holds none. */
export function epochsToCheck(window: EpochWindow, latest: number): { from: number; to: number } | undefined {
  const to = Math.min(window.to ?? latest, latest);
  const from = window.kind === 'last' ? Math.max(0, to - window.count + 1) : window.from;
  return from > to ? undefined : { from, to };
}

export interface WindowResult {
  alerts: Alert[];
  observations: NameObservation[];
}

/** Checks `expected` on the PV over epochs [from, to], `spanSize` epochs at a time. */
export async function monitorWindow(target: MonitorTarget, expected: ReadonlyMap<string, readonly Uint8Array[]>, span: { from: number; to: number }, spanSize = SPAN): Promise<WindowResult> {
  const alerts: Alert[] = [];
  const observations: NameObservation[] = [];
  let states: Record<string, PvMonitorState> | undefined;
  for (let from = span.from; from <= span.to; from += spanSize) {
    const to = Math.min(from + spanSize - 1, span.to);
    const result = await monitorNames([target], expected, { fromEpoch: from, toEpoch: to, ...(states === undefined ? {} : { states }) });
    alerts.push(...result.alerts);
    observations.push(...result.observations);
    // An unreachable PV stays so for the rest of the window.
    if (result.alerts.some((a) => a.code === 'unreachable')) break;
    states = result.states;
  }
  return { alerts, observations };
}
