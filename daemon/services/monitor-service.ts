// The developer's monitor, run by the daemon for the UI: names checked on
// every deployed PV over a window of epochs, against the bindings expected
// (given, or what the lab submitted under each name).
import { fromHex, toHex } from '../../spms/core/index.ts';
import type { Alert, MonitorTarget, NameObservation } from '../../spms/client/monitor.ts';
import type { Lab } from '../lab.ts';
import { parseMonitorRequest } from './monitor-request.ts';
import { epochsToCheck, monitorWindow } from './monitor-window.ts';
import { pvClient, trustedStrKey } from './pv-access.ts';

/** The epochs checked on a PV (null when the window held none of its epochs), and its latest. */
export interface CheckedRange {
  pvId: string;
  from: number | null;
  to: number | null;
  latest: number;
}

export async function monitor(lab: Lab, raw: unknown): Promise<unknown> {
  const request = parseMonitorRequest(raw);
  const expected = new Map<string, Uint8Array[]>();
  for (const n of request.names) {
    // Unless given, what the lab submitted under that name, every version.
    expected.set(n, request.expect.get(n) ?? lab.store.state.submissions.filter((s) => s.name === n && s.bindingHash !== undefined).map((s) => fromHex(s.bindingHash as string)));
  }
  lab.prUrl(); // refuses when the lab is not deployed
  const alerts: Alert[] = [];
  const observations: NameObservation[] = [];
  const ranges: CheckedRange[] = [];
  const unreachable: { pvId: string; reason: string }[] = [];
  for (const pvId of lab.pvIds()) {
    const client = pvClient(lab, pvId);
    try {
      const target: MonitorTarget = { client, strPublicKey: await trustedStrKey(lab, pvId, client) };
      const latest = await client.latestStr();
      const span = epochsToCheck(request.window, latest.epoch);
      ranges.push({ pvId, from: span?.from ?? null, to: span?.to ?? null, latest: latest.epoch });
      if (span === undefined) continue;
      const result = await monitorWindow(target, expected, span);
      alerts.push(...result.alerts);
      observations.push(...result.observations);
    } catch (e) {
      unreachable.push({ pvId, reason: (e as Error).message });
    }
  }
  const hex = (_k: string, v: unknown): unknown => (v instanceof Uint8Array ? toHex(v) : v);
  return JSON.parse(
    JSON.stringify({ names: request.names, expected: Object.fromEntries([...expected].map(([n, hs]) => [n, hs.map(toHex)])), ranges, alerts, observations, unreachable }, hex),
  ) as unknown;
}
