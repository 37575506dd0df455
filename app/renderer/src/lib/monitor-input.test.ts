import { describe, expect, it } from 'vitest';
import { expectations, latestObservations, loadMonitorPrefs, parseEpochWindow, parseHashes, parseNames, saveMonitorPrefs, type Observation } from './monitor-input.ts';

const H1 = '1'.repeat(64);
const H2 = 'a'.repeat(64);

describe('parseNames', () => {
  it('splits on commas and white space, keeps the order and drops repeats', () => {
    expect(parseNames(' org.example.a, org.example.b\norg.example.a  org.example.c,,').items).toEqual(['org.example.a', 'org.example.b', 'org.example.c']);
  });

  it('refuses names that are not reverse-DNS, saying why', () => {
    const p = parseNames('org.example.a Hello nodot');
    expect(p.items).toEqual(['org.example.a']);
    expect(p.invalid.map((i) => i.item)).toEqual(['Hello', 'nodot']);
    expect(p.invalid[1]!.message).toContain('at least one dot');
  });

  it('keeps at most 100 names', () => {
    const p = parseNames(Array.from({ length: 102 }, (_, i) => `org.example.p${i}`).join(' '));
    expect(p.items).toHaveLength(100);
    expect(p.invalid.map((i) => i.item)).toEqual(['org.example.p100', 'org.example.p101']);
  });
});

describe('parseHashes and expectations', () => {
  it('takes 64 hex digits, upper case as lower', () => {
    expect(parseHashes(`${H1}, ${H2.toUpperCase()}`).items).toEqual([H1, H2]);
    expect(parseHashes('abc').invalid[0]!.message).toContain('not 64 hex digits');
  });

  it('sends expectations only for names given hashes', () => {
    const e = expectations(['org.example.a', 'org.example.b', 'org.example.c'], { 'org.example.a': H1, 'org.example.b': '', 'org.example.c': 'zz' });
    expect(e.expect).toEqual({ 'org.example.a': [H1] });
    expect(e.invalid).toEqual([{ name: 'org.example.c', item: 'zz', message: expect.any(String) }]);
    expect(expectations(['org.example.a'], {}).expect).toBeUndefined();
  });
});

describe('parseEpochWindow', () => {
  it('defaults to the last 50 epochs of each chain, up to an epoch when "To" is given', () => {
    expect(parseEpochWindow('', '')).toEqual({ window: { lastEpochs: 50 }, errors: {}, summary: "the last 50 epochs up to each PV's latest epoch" });
    expect(parseEpochWindow(' ', '120')).toEqual({ window: { lastEpochs: 50, toEpoch: 120 }, errors: {}, summary: 'the last 50 epochs up to epoch 120' });
  });

  it('takes a range from an epoch, 0 included, to an epoch or the latest', () => {
    expect(parseEpochWindow('0', '')).toEqual({ window: { fromEpoch: 0 }, errors: {}, summary: "epoch 0 to each PV's latest epoch" });
    expect(parseEpochWindow('7', '7').window).toEqual({ fromEpoch: 7, toEpoch: 7 });
    expect(parseEpochWindow(' 3 ', '10 ').window).toEqual({ fromEpoch: 3, toEpoch: 10 });
  });

  it('refuses negative and non-whole epochs, and "From" after "To", saying which', () => {
    expect(parseEpochWindow('-1', '')).toMatchObject({ window: undefined, errors: { from: '"From" cannot be negative: epochs start at 0' } });
    expect(parseEpochWindow('', '-5').errors).toEqual({ to: '"To" cannot be negative: epochs start at 0' });
    for (const bad of ['1.5', 'abc', '1e3', '0x10', '99999999999999999999']) expect(parseEpochWindow(bad, '').errors.from).toBe('"From" must be a whole epoch number (0, 1, 2, …)');
    expect(parseEpochWindow('9', '4')).toMatchObject({ window: undefined, errors: { range: '"From" (9) is after "To" (4)' } });
  });
});

describe('latestObservations', () => {
  it('keeps the highest epoch per name and PV and counts the states seen', () => {
    const obs: Observation[] = [
      { pvId: 'PV2', name: 'org.example.a', epoch: 1, state: 'absent' },
      { pvId: 'PV1', name: 'org.example.a', epoch: 1, state: 'absent' },
      { pvId: 'PV1', name: 'org.example.a', epoch: 3, state: 'unexpected', version: 2, bindingHash: H2 },
      { pvId: 'PV1', name: 'org.example.a', epoch: 2, state: 'expected', version: 1, bindingHash: H1 },
      { pvId: 'PV1', name: 'org.example.0', epoch: 0, state: 'absent' },
    ];
    const rows = latestObservations(obs);
    expect(rows.map((r) => [r.name, r.pvId, r.latest.epoch, r.latest.state, r.epochs, r.unexpected, r.absent])).toEqual([
      ['org.example.0', 'PV1', 0, 'absent', 1, 0, 1],
      ['org.example.a', 'PV1', 3, 'unexpected', 3, 1, 1],
      ['org.example.a', 'PV2', 1, 'absent', 1, 0, 1],
    ]);
  });
});

describe('monitor preferences', () => {
  it('round-trips and tolerates damaged storage', () => {
    const store = new Map<string, string>();
    const storage = { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => void store.set(k, v) };
    expect(loadMonitorPrefs(storage)).toEqual({ names: '', hashes: {}, follow: false, from: '', to: '' });
    saveMonitorPrefs(storage, { names: 'org.example.a', hashes: { 'org.example.a': H1 }, follow: true, from: '0', to: '12' });
    expect(loadMonitorPrefs(storage)).toEqual({ names: 'org.example.a', hashes: { 'org.example.a': H1 }, follow: true, from: '0', to: '12' });
    store.set('spms-monitor', '{not json');
    expect(loadMonitorPrefs(storage).names).toBe('');
    store.set('spms-monitor', JSON.stringify({ names: 3, hashes: { a: 1, b: 'x' }, follow: 'yes', from: 4 }));
    expect(loadMonitorPrefs(storage)).toEqual({ names: '', hashes: { b: 'x' }, follow: false, from: '', to: '' });
  });
});
