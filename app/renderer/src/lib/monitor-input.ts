// The Monitor view's inputs and their reading: names a developer owns, the
// binding hashes expected for each (lists separated by commas or spaces) and
// the epochs to check, checked here before the daemon sees them and
// remembered in localStorage; observations reduced to the latest state per
// PV and name.
import { validateName } from '../../../../spms/core/index.ts';
import type { MonitorResult, MonitorWindow } from './api-types.ts';

export interface ParsedList {
  /** Valid items, in order, without repeats. */
  items: string[];
  /** Items refused, each with why. */
  invalid: { item: string; message: string }[];
}

function split(text: string): string[] {
  return text.split(/[\s,;]+/).filter((s) => s !== '');
}

function parseList(text: string, check: (item: string) => string | null): ParsedList {
  const items: string[] = [];
  const invalid: ParsedList['invalid'] = [];
  for (const raw of split(text)) {
    const message = check(raw);
    if (message !== null) invalid.push({ item: raw, message });
    else if (!items.includes(raw)) items.push(raw);
  }
  return { items, invalid };
}

/** Plugin names separated by commas or white space (at most 100, as the daemon accepts). */
export function parseNames(text: string): ParsedList {
  const parsed = parseList(text, (n) => {
    try {
      validateName(n);
      return null;
    } catch (e) {
      return (e as Error).message;
    }
  });
  if (parsed.items.length > 100) {
    for (const n of parsed.items.splice(100)) parsed.invalid.push({ item: n, message: 'at most 100 names are monitored at once' });
  }
  return parsed;
}

/** Binding hashes (64 hex digits; upper case is taken as lower). */
export function parseHashes(text: string): ParsedList {
  return parseList(text.toLowerCase(), (h) => (/^[0-9a-f]{64}$/.test(h) ? null : `"${h.length > 20 ? `${h.slice(0, 20)}…` : h}" is not 64 hex digits`));
}

/** The daemon's `expect`: only names given hashes (the others default to what the lab submitted). */
export function expectations(
  names: readonly string[],
  hashesText: Readonly<Record<string, string>>,
): { expect: Record<string, string[]> | undefined; invalid: { name: string; item: string; message: string }[] } {
  const expect: Record<string, string[]> = {};
  const invalid: { name: string; item: string; message: string }[] = [];
  for (const n of names) {
    const parsed = parseHashes(hashesText[n] ?? '');
    for (const i of parsed.invalid) invalid.push({ name: n, ...i });
    if (parsed.items.length > 0) expect[n] = parsed.items;
  }
  return { expect: Object.keys(expect).length === 0 ? undefined : expect, invalid };
}

/** Without a "from" epoch, the monitor checks this many of each PV's latest epochs. */
export const RECENT_EPOCHS = 50;

export interface ParsedWindow {
  /** What the daemon gets; undefined while an input is wrong. */
  window: MonitorWindow | undefined;
  /** What is wrong, per field ("range" when both are fine alone but from > to). */
  errors: { from?: string; to?: string; range?: string };
  /** The epochs checked, in words. */
  summary: string;
}

function epochField(text: string, label: string): { value?: number; error?: string } {
  const t = text.trim();
  if (t === '') return {};
  if (/^-\d+$/.test(t)) return { error: `"${label}" cannot be negative: epochs start at 0` };
  if (!/^\d+$/.test(t) || !Number.isSafeInteger(Number(t))) return { error: `"${label}" must be a whole epoch number (0, 1, 2, …)` };
  return { value: Number(t) };
}

/** The epoch window from the "From" and "To" inputs: blank "From" means the last RECENT_EPOCHS epochs, blank "To" each PV's latest. */
export function parseEpochWindow(fromText: string, toText: string): ParsedWindow {
  const from = epochField(fromText, 'From');
  const to = epochField(toText, 'To');
  const errors: ParsedWindow['errors'] = {};
  if (from.error !== undefined) errors.from = from.error;
  if (to.error !== undefined) errors.to = to.error;
  if (from.value !== undefined && to.value !== undefined && from.value > to.value) errors.range = `"From" (${from.value}) is after "To" (${to.value})`;
  const end = to.value === undefined ? "each PV's latest epoch" : `epoch ${to.value}`;
  const summary = from.value === undefined ? `the last ${RECENT_EPOCHS} epochs up to ${end}` : `epoch ${from.value} to ${end}`;
  if (Object.keys(errors).length > 0) return { window: undefined, errors, summary };
  const window: MonitorWindow = from.value === undefined ? { lastEpochs: RECENT_EPOCHS } : { fromEpoch: from.value };
  if (to.value !== undefined) window.toEpoch = to.value;
  return { window, errors, summary };
}

export type Observation = MonitorResult['observations'][number];

export interface ObservationRow {
  name: string;
  pvId: string;
  /** The observation of the highest epoch. */
  latest: Observation;
  epochs: number;
  /** Epochs in which the name was bound to something its developer did not submit. */
  unexpected: number;
  /** Epochs in which the name was absent. */
  absent: number;
}

/** One row per name and PV: the latest state, and how many epochs were seen in each state. */
export function latestObservations(observations: readonly Observation[]): ObservationRow[] {
  const rows = new Map<string, ObservationRow>();
  for (const o of observations) {
    const key = `${o.name}\u0000${o.pvId}`;
    const row = rows.get(key);
    if (row === undefined) {
      rows.set(key, { name: o.name, pvId: o.pvId, latest: o, epochs: 1, unexpected: o.state === 'unexpected' ? 1 : 0, absent: o.state === 'absent' ? 1 : 0 });
      continue;
    }
    row.epochs++;
    if (o.state === 'unexpected') row.unexpected++;
    if (o.state === 'absent') row.absent++;
    if (o.epoch >= row.latest.epoch) row.latest = o;
  }
  const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  return [...rows.values()].sort((a, b) => cmp(a.name, b.name) || cmp(a.pvId, b.pvId));
}

export interface MonitorPrefs {
  names: string;
  hashes: Record<string, string>;
  follow: boolean;
  /** The "From" and "To" epoch inputs, as typed. */
  from: string;
  to: string;
}

const KEY = 'spms-monitor';

export function loadMonitorPrefs(storage: Pick<Storage, 'getItem'>): MonitorPrefs {
  const empty: MonitorPrefs = { names: '', hashes: {}, follow: false, from: '', to: '' };
  let raw: unknown;
  try {
    raw = JSON.parse(storage.getItem(KEY) ?? 'null');
  } catch {
    return empty;
  }
  if (typeof raw !== 'object' || raw === null) return empty;
  const r = raw as Record<string, unknown>;
  const hashes: Record<string, string> = {};
  if (typeof r.hashes === 'object' && r.hashes !== null) for (const [k, v] of Object.entries(r.hashes)) if (typeof v === 'string') hashes[k] = v;
  const text = (v: unknown): string => (typeof v === 'string' ? v : '');
  return { names: text(r.names), hashes, follow: r.follow === true, from: text(r.from), to: text(r.to) };
}

export function saveMonitorPrefs(storage: Pick<Storage, 'setItem'>, prefs: MonitorPrefs): void {
  try {
    storage.setItem(KEY, JSON.stringify(prefs));
  } catch {
    // storage full or refused: the inputs simply are not remembered
  }
}
