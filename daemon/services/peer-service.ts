// The peer's and the developer's checks, done by the daemon for the UI: a
// proof bundle for a name and a formula (fetched from the PR, checked against
// the lab's root CA and CRL), and monitoring of names over every PV's epochs.
import { bundleFromJson, checkBundle, fromHex, parseMonotoneFormula, toHex, validateName } from '../../spms/core/index.ts';
import { caKeyResolver } from '../../spms/client/ca-trust.ts';
import { monitorNames, type MonitorTarget } from '../../spms/client/monitor.ts';
import { getJson } from '../../spms/client/transport.ts';
import { ApiError } from '../http/api-error.ts';
import type { Lab } from '../lab.ts';
import { nodeFailure, pvClient, trustedStrKey } from './pv-access.ts';

function checkedName(raw: unknown): string {
  try {
    return validateName(raw);
  } catch (e) {
    throw new ApiError(400, 'bad-name', (e as Error).message);
  }
}

function checkedHash(raw: unknown, what: string): Uint8Array {
  if (typeof raw !== 'string' || !/^[0-9a-f]{64}$/.test(raw)) throw new ApiError(400, 'bad-parameter', `${what} must be 64 lowercase hex digits`);
  return fromHex(raw);
}

/** The binding the lab submitted last under `name`, when known. */
function expectedBinding(lab: Lab, name: string): Uint8Array | undefined {
  const mine = lab.store.state.submissions.filter((s) => s.name === name && s.bindingHash !== undefined);
  const last = mine.at(-1)?.bindingHash;
  return last === undefined ? undefined : fromHex(last);
}

export async function checkBundleFor(lab: Lab, body: { name?: unknown; formula?: unknown; bindingHash?: unknown; maxAgeMs?: unknown }): Promise<unknown> {
  const name = checkedName(body.name);
  if (typeof body.formula !== 'string' || body.formula.trim() === '') throw new ApiError(400, 'bad-formula', 'formula is required, e.g. "PV1 & (PV2 | PV3)"');
  try {
    parseMonotoneFormula(body.formula);
  } catch (e) {
    throw new ApiError(400, 'bad-formula', (e as Error).message, { column: (e as { column?: number }).column });
  }
  const maxAgeMs = body.maxAgeMs === undefined ? 300_000 : typeof body.maxAgeMs === 'number' && body.maxAgeMs > 0 ? body.maxAgeMs : undefined;
  if (maxAgeMs === undefined) throw new ApiError(400, 'bad-parameter', 'maxAgeMs must be a positive number of milliseconds');
  const expected = body.bindingHash === undefined ? expectedBinding(lab, name) : checkedHash(body.bindingHash, 'bindingHash');
  const query = new URLSearchParams({ formula: body.formula });
  if (expected !== undefined) query.set('binding', toHex(expected));
  let answer: { bundle: unknown; skipped: unknown };
  try {
    answer = (await getJson(await lab.developer.transport(), `${lab.prUrl()}/v1/bundle/${encodeURIComponent(name)}?${query.toString()}`)) as { bundle: unknown; skipped: unknown };
  } catch (e) {
    return nodeFailure(lab.topology.pr.id, e);
  }
  const bundle = bundleFromJson(answer.bundle);
  const verdict = checkBundle(bundle, {
    formula: body.formula,
    resolveKey: caKeyResolver({ root: lab.ca.rootPem, crl: lab.ca.crlPem() }),
    bindingHash: expected ?? bundle.bindingHash,
    nowMs: Date.now(),
    maxAgeMs,
  });
  return { name, formula: body.formula, expectedBinding: expected === undefined ? null : toHex(expected), bundle: answer.bundle, skipped: answer.skipped, verdict };
}

export async function monitor(lab: Lab, body: { names?: unknown; expect?: unknown; fromEpoch?: unknown }): Promise<unknown> {
  if (!Array.isArray(body.names) || body.names.length === 0 || body.names.length > 100) throw new ApiError(400, 'bad-parameter', 'names must be a list of 1 to 100 plugin names');
  const names = body.names.map(checkedName);
  const expectRaw = body.expect === undefined ? {} : body.expect;
  if (typeof expectRaw !== 'object' || expectRaw === null || Array.isArray(expectRaw)) throw new ApiError(400, 'bad-parameter', 'expect must map names to lists of binding hashes');
  const expected = new Map<string, Uint8Array[]>();
  for (const n of names) {
    const given = (expectRaw as Record<string, unknown>)[n];
    if (given !== undefined) {
      if (!Array.isArray(given)) throw new ApiError(400, 'bad-parameter', `expect.${n} must be a list of binding hashes`);
      expected.set(
        n,
        given.map((h) => checkedHash(h, `expect.${n}[]`)),
      );
    } else {
      // What the lab submitted under that name, every version.
      expected.set(
        n,
        lab.store.state.submissions.filter((s) => s.name === n && s.bindingHash !== undefined).map((s) => fromHex(s.bindingHash as string)),
      );
    }
  }
  const fromEpoch = body.fromEpoch === undefined ? undefined : typeof body.fromEpoch === 'number' && Number.isInteger(body.fromEpoch) && body.fromEpoch >= 0 ? body.fromEpoch : NaN;
  if (Number.isNaN(fromEpoch)) throw new ApiError(400, 'bad-parameter', 'fromEpoch must be a non-negative integer');
  lab.prUrl(); // refuses when the lab is not deployed
  const targets: MonitorTarget[] = [];
  const unreachable: { pvId: string; reason: string }[] = [];
  for (const pvId of lab.pvIds()) {
    const client = pvClient(lab, pvId);
    try {
      targets.push({ client, strPublicKey: await trustedStrKey(lab, pvId, client) });
    } catch (e) {
      unreachable.push({ pvId, reason: (e as Error).message });
    }
  }
  try {
    const result = await monitorNames(targets, expected, fromEpoch === undefined ? {} : { fromEpoch });
    const hex = (_k: string, v: unknown): unknown => (v instanceof Uint8Array ? toHex(v) : v);
    return JSON.parse(
      JSON.stringify({ names, expected: Object.fromEntries([...expected].map(([n, hs]) => [n, hs.map(toHex)])), alerts: result.alerts, observations: result.observations, unreachable }, hex),
    ) as unknown;
  } catch (e) {
    return nodeFailure('PV', e);
  }
}
