import { describe, expect, it } from 'vitest';
import { strToJson } from '../../../../spms/core/index.ts';
import type { LabEvent } from './api-types.ts';
import { changesByEpoch, linkChecks, mergeChain, strDifferences } from './epoch-timeline.ts';
import { checkStrSignature } from './str-signatures.svelte.ts';
import { CHAIN_KEYS, chainAnswer, chainStr, signedChain } from './testing/chain-fixtures.ts';
import { toHex } from '../../../../spms/core/index.ts';

const chain = signedChain(6);

describe('epoch timeline', () => {
  it('merges pieces of a chain newest first, one STR per epoch', () => {
    let t = mergeChain(null, chainAnswer(chain.slice(3, 5), 4));
    expect(t.strs.map((s) => s.epoch)).toEqual([4, 3]);
    t = mergeChain(t, chainAnswer(chain.slice(0, 3), 4)); // older page
    t = mergeChain(t, chainAnswer(chain.slice(4, 6), 5)); // live catch-up, overlapping epoch 4
    expect(t.strs.map((s) => s.epoch)).toEqual([5, 4, 3, 2, 1, 0]);
    expect(t.latestEpoch).toBe(5);
    expect(t.issues).toEqual([]);
    // Another PV starts over.
    expect(mergeChain(t, { ...chainAnswer(chain.slice(0, 1)), pvId: 'PV2' }).strs).toHaveLength(1);
  });

  it('keeps the daemon\u2019s issues once and reports two signed STRs for one epoch as equivocation, with both as evidence', () => {
    const issue = { code: 'prev-hash-mismatch', epoch: 2, message: 'prevStrHash of epoch 2 is …' };
    let t = mergeChain(null, chainAnswer(chain.slice(0, 3), 2, [issue]));
    t = mergeChain(t, chainAnswer(chain.slice(0, 3), 2, [issue]));
    expect(t.issues).toEqual([{ ...issue, source: 'daemon' }]);

    const fork = signedChain(3, ' fork');
    t = mergeChain(t, chainAnswer(fork.slice(2, 3), 2));
    const eq = t.issues.find((i) => i.code === 'equivocation')!;
    expect(eq).toMatchObject({ epoch: 2, source: 'browser', message: '"PV1" signed two different STRs for epoch 2' });
    expect(eq.evidence?.first.root).toBe(toHex(chain[2]!.root));
    expect(eq.evidence?.second.root).toBe(toHex(fork[2]!.root));
    expect([...strDifferences(eq.evidence!.first, eq.evidence!.second)].sort()).toEqual(['prevStrHash', 'root', 'signature']);
    // The timeline keeps the STR it saw first.
    expect(t.strs.find((s) => s.epoch === 2)?.root).toBe(toHex(chain[2]!.root));
  });

  it('does not call an unsigned conflicting STR equivocation (the daemon reports its signature)', () => {
    const fork = signedChain(3, ' fork');
    const t = mergeChain(mergeChain(null, chainAnswer(chain.slice(0, 3))), { ...chainAnswer([]), strs: [chainStr(fork[2]!, false)] });
    expect(t.issues).toEqual([]);
  });

  it('checks each STR\u2019s link to the previous one by recomputing its hash', () => {
    const strs = chain.slice(2).map((s) => chainStr(s));
    const fork = signedChain(6, ' fork');
    const broken = { ...chainStr(fork[4]!), prevStrHash: toHex(fork[3]!.prevStrHash) };
    const links = linkChecks([...strs.filter((s) => s.epoch !== 4), broken]);
    expect(links.get(2)).toMatchObject({ state: 'unknown', message: 'epoch 1 is not loaded here' });
    expect(links.get(3)?.state).toBe('ok');
    expect(links.get(4)?.state).toBe('fail');
    expect(links.get(5)?.state).toBe('fail'); // epoch 5 names the real epoch 4, not the one shown
    const genesis = linkChecks([chainStr(chain[0]!)]);
    expect(genesis.get(0)?.state).toBe('genesis');
    expect(linkChecks([{ ...chainStr(chain[0]!), prevStrHash: 'ab'.repeat(32) }]).get(0)?.state).toBe('fail');
  });

  it('checks STR signatures in the browser under the certified key', () => {
    const key = toHex(CHAIN_KEYS.publicKey);
    expect(checkStrSignature(strToJson(chain[1]!), key)).toBe(true);
    expect(checkStrSignature({ ...strToJson(chain[1]!), root: 'ab'.repeat(32) }, key)).toBe(false);
    expect(checkStrSignature({ ...strToJson(chain[1]!), root: 'not hex' }, key)).toBe(false);
  });

  it('reads the changes of each epoch from epoch-published events of that PV', () => {
    const ev = (seq: number, node: string, payload: Record<string, unknown>, type = 'epoch-published'): LabEvent => ({ seq, time: seq, node, type, payload });
    const events = [
      ev(1, 'PV1', {
        epoch: 3,
        root: 'aa',
        changes: [
          { name: 'org.example.a', bindingHash: 'bb', submission: 's1' },
          { name: 'org.example.b', bindingHash: null },
        ],
      }),
      ev(2, 'PV2', { epoch: 3, root: 'cc', changes: [] }),
      ev(3, 'PV1', { epoch: 4, root: 'dd', changes: [] }),
      ev(4, 'PV1', { epoch: 5 }, 'decision'),
      ev(5, 'PV1', { epoch: 'x', changes: [] }),
    ];
    const m = changesByEpoch(events, 'PV1');
    expect([...m.keys()]).toEqual([3, 4]);
    expect(m.get(3)).toEqual([
      { name: 'org.example.a', bindingHash: 'bb', submission: 's1' },
      { name: 'org.example.b', bindingHash: null },
    ]);
    expect(m.get(4)).toEqual([]);
  });
});
