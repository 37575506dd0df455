// The developer monitor: for names a developer owns, check every PV's STR
// chain and, at every epoch, that the proof shows exactly the developer's
// expected binding (or its absence). Anything else is an alert with evidence:
// an unexpected binding, a version jump (something was bound in between), a
// chain break, equivocation, a proof that does not verify.
import { equalBytes, toHex, verifyChain, verifyLookup, type Equivocation, type SignedStr } from '../core/index.ts';
import type { PvClient } from './pv-client.ts';

export type AlertCode = 'unexpected-binding' | 'version-jump' | 'chain-break' | 'equivocation' | 'bad-proof' | 'unreachable';

export interface Alert {
  pvId: string;
  code: AlertCode;
  epoch?: number;
  name?: string;
  message: string;
  evidence?: unknown;
}

export interface NameObservation {
  pvId: string;
  name: string;
  epoch: number;
  state: 'expected' | 'absent' | 'unexpected';
  version?: number;
  bindingHash?: string;
}

/** What a monitor remembers between runs for one PV, so each run checks only new epochs. */
export interface PvMonitorState {
  lastStr?: SignedStr;
  versions: Record<string, number>;
}

export interface MonitorTarget {
  client: PvClient;
  /** The PV's STR key, from its certificate (checked against the CA) or pinned. */
  strPublicKey: Uint8Array;
}

export interface MonitorResult {
  alerts: Alert[];
  observations: NameObservation[];
  states: Record<string, PvMonitorState>;
}

/**
 * Checks `names` on every target from the epoch after what `states` saw
 * (or `fromEpoch`) up to each PV's latest. `expected` maps each name to the
 * binding hashes its developer submitted (any of them may be current).
 */
export async function monitorNames(
  targets: readonly MonitorTarget[],
  expected: ReadonlyMap<string, readonly Uint8Array[]>,
  /** fromEpoch: where a PV seen for the first time starts (default 0); toEpoch: the last epoch to check (default each PV's latest). */
  opts: { states?: Record<string, PvMonitorState>; fromEpoch?: number; toEpoch?: number } = {},
): Promise<MonitorResult> {
  const alerts: Alert[] = [];
  const observations: NameObservation[] = [];
  // The caller's states stay as they were; the result carries the new ones.
  const states: Record<string, PvMonitorState> = structuredClone(opts.states ?? {});
  for (const target of targets) {
    let pvId = target.client.baseUrl;
    try {
      const newest = await target.client.latestStr();
      pvId = newest.pvId;
      const latest = opts.toEpoch === undefined || opts.toEpoch >= newest.epoch ? newest : await target.client.str(opts.toEpoch);
      const state: PvMonitorState = states[pvId] ?? { versions: {} };
      const from = state.lastStr === undefined ? (opts.fromEpoch ?? 0) : state.lastStr.epoch + 1;
      if (from > latest.epoch) {
        states[pvId] = state;
        continue;
      }
      const strs = await target.client.strs(from, latest.epoch);
      // A PV must not show us a different STR for an epoch we already saw.
      if (state.lastStr !== undefined) {
        const again = await target.client.str(state.lastStr.epoch);
        if (!equalBytes(again.signature, state.lastStr.signature) || !equalBytes(again.root, state.lastStr.root)) {
          const evidence: Equivocation = { pvId, epoch: again.epoch, first: state.lastStr, second: again };
          alerts.push({ pvId, code: 'equivocation', epoch: again.epoch, message: `${pvId} now serves a different STR for epoch ${again.epoch}`, evidence });
        }
      }
      const chain = verifyChain(strs, target.strPublicKey, state.lastStr === undefined ? {} : { previous: state.lastStr });
      for (const issue of chain.issues) {
        alerts.push({ pvId, code: issue.code === 'equivocation' ? 'equivocation' : 'chain-break', epoch: issue.epoch, message: issue.message, evidence: issue.evidence ?? issue.code });
      }
      const byEpoch = new Map(strs.map((s) => [s.epoch, s]));
      for (const [name, hashes] of expected) {
        const history = await target.client.history(name, from, latest.epoch);
        for (const h of history) {
          const str = byEpoch.get(h.epoch);
          // Only proofs against roots of STRs we verified count.
          if (str === undefined || !equalBytes(str.root, h.str.root)) {
            alerts.push({ pvId, code: 'bad-proof', epoch: h.epoch, name, message: `the proof for ${name} at epoch ${h.epoch} is not against the verified STR` });
            continue;
          }
          const t = h.proof.terminal;
          const included = t.kind === 'leaf' && t.index === null;
          const absent = verifyLookup(h.proof, name, 'absent', str.root, str.treeId);
          if (!included) {
            if (!absent.ok) alerts.push({ pvId, code: 'bad-proof', epoch: h.epoch, name, message: `absence proof for ${name} fails: ${absent.message}` });
            else observations.push({ pvId, name, epoch: h.epoch, state: 'absent' });
            continue;
          }
          const bh = t.bindingHash;
          const verdict = verifyLookup(h.proof, name, bh, str.root, str.treeId);
          if (!verdict.ok) {
            alerts.push({ pvId, code: 'bad-proof', epoch: h.epoch, name, message: `inclusion proof for ${name} fails: ${verdict.message}` });
            continue;
          }
          const known = hashes.some((x) => equalBytes(x, bh));
          observations.push({ pvId, name, epoch: h.epoch, state: known ? 'expected' : 'unexpected', version: t.version, bindingHash: toHex(bh) });
          if (!known) {
            alerts.push({
              pvId,
              code: 'unexpected-binding',
              epoch: h.epoch,
              name,
              message: `${pvId} binds ${name} to ${toHex(bh).slice(0, 16)}…, which its developer did not submit`,
              evidence: { str: h.str, proof: h.proof },
            });
          }
          const before = state.versions[name];
          if (before !== undefined && t.version > before + 1) {
            alerts.push({
              pvId,
              code: 'version-jump',
              epoch: h.epoch,
              name,
              message: `${name} went from version ${before} to ${t.version}: ${t.version - before - 1} binding(s) came and went unseen`,
              evidence: { str: h.str, proof: h.proof },
            });
          }
          state.versions[name] = t.version;
        }
      }
      state.lastStr = strs[strs.length - 1] ?? state.lastStr;
      states[pvId] = state;
    } catch (e) {
      alerts.push({ pvId, code: 'unreachable', message: `cannot monitor ${pvId}: ${(e as Error).message}` });
    }
  }
  return { alerts, observations, states };
}
