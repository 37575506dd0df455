import { describe, expect, it } from 'vitest';
import type { LabEvent, PluginStatus } from './api-types.ts';
import { labEvent, labTopology } from './testing/lab-fixtures.ts';
import {
  applyEvent,
  currentSubmission,
  emptyProgress,
  foldEvents,
  noteSubmission,
  pvColumns,
  pvProgress,
  seedFromStatus,
  seedInclusion,
  undecidedFetched,
  verifierProgress,
  type PluginProgress,
} from './plugin-progress.ts';

const NAME = 'org.example.hello';
const ev = labEvent;

/** What the lab streams while PV1 takes submission `sub` through two verifiers. */
function pvRun(pv: string, sub: string, verdicts: Record<string, 'pass' | 'fail' | 'error'>, valid: boolean): LabEvent[] {
  const out = [
    ev(pv, 'announcement', { submission: sub, name: NAME, archiveHash: 'aa' }),
    ev(pv, 'archive-fetched', { submission: sub, name: NAME, bytes: 10 }),
    ev(pv, 'binding-built', { submission: sub, name: NAME, bindingHash: `b-${sub}`, pluglets: [], superseded: [] }),
  ];
  for (const [id, verdict] of Object.entries(verdicts)) {
    out.push(ev(pv, 'verifier-started', { submission: sub, verifier: id, kind: 'k', attempt: 1 }));
    out.push(ev(pv, 'verifier-finished', { submission: sub, verifier: id, verdict, durationMs: 12, findings: verdict === 'pass' ? 0 : 2 }));
  }
  out.push(ev(pv, 'decision', { submission: sub, name: NAME, valid, passed: valid ? ['wellformed'] : [] }));
  return out;
}

const plugin = (s: ReturnType<typeof emptyProgress>): PluginProgress => s.plugins[NAME] as PluginProgress;

describe('plugin progress', () => {
  it('follows a submission through every step of a PV, to the epoch that takes it in', () => {
    const events = [
      ev('PR', 'submission', { id: 's1', name: NAME, version: 1, archiveHash: 'aa', submitter: 'lab' }),
      ev('daemon', 'plugin-submitted', { name: NAME, version: 1, archiveHash: 'aa', submissionId: 's1', submittedMs: 1, created: true }),
      ...pvRun('PV1', 's1', { wf: 'pass', term: 'pass' }, true),
      ev('daemon', 'binding-expected', { submissionId: 's1', name: NAME, bindingHash: 'b-s1' }),
      ev('PV1', 'epoch-published', { epoch: 7, root: 'r', changes: [{ name: NAME, bindingHash: 'b-s1', submission: 's1' }] }),
      ev('PV1', 'epoch-published', { epoch: 8, root: 'r', changes: [] }),
    ];
    const s = foldEvents(events, 'PR');
    const p = plugin(s);
    expect(p.version).toBe(1);
    expect(p.expectedBinding).toBe('b-s1');
    const pv = pvProgress(p, 'PV1');
    expect(pv).toMatchObject({ submission: 's1', stage: 'decided', decision: 'valid', bindingHash: 'b-s1', epoch: 7, epochSource: 'event' });
    expect(verifierProgress(pv, 'wf')).toEqual({ state: 'pass', attempt: 1, durationMs: 12, findings: 0 });
    expect(pvProgress(p, 'PV2')).toMatchObject({ stage: 'waiting', decision: 'pending', submission: 's1' });
  });

  it('shows a verifier queued, then running, then its verdict; a retry queues it again', () => {
    let s = foldEvents(pvRun('PV1', 's1', {}, true).slice(0, 3), 'PR');
    const at = (): string => verifierProgress(pvProgress(plugin(s), 'PV1'), 'term').state;
    expect(at()).toBe('queued');
    s = applyEvent(s, ev('PV1', 'verifier-started', { submission: 's1', verifier: 'term', kind: 'termination', attempt: 1 }), 'PR');
    expect(at()).toBe('running');
    s = applyEvent(s, ev('PV1', 'verifier-finished', { submission: 's1', verifier: 'term', verdict: 'retry', reason: 'timeout' }), 'PR');
    expect(at()).toBe('queued');
    expect(verifierProgress(pvProgress(plugin(s), 'PV1'), 'term').note).toMatch(/timeout/);
    s = applyEvent(s, ev('PV1', 'verifier-finished', { submission: 's1', verifier: 'term', verdict: 'fail', durationMs: 3, findings: 1 }), 'PR');
    expect(at()).toBe('fail');
    s = applyEvent(s, ev('PV1', 'verifier-finished', { submission: 's1', verifier: 'wf', verdict: 'cancelled' }), 'PR');
    expect(verifierProgress(pvProgress(plugin(s), 'PV1'), 'wf')).toMatchObject({ state: 'error', note: 'cancelled' });
  });

  it('keeps PVs apart and decides each on its own', () => {
    const s = foldEvents([...pvRun('PV1', 's1', { wf: 'pass' }, true), ...pvRun('PV2', 's1', { fx: 'fail' }, false)], 'PR');
    expect(pvProgress(plugin(s), 'PV1').decision).toBe('valid');
    expect(pvProgress(plugin(s), 'PV2').decision).toBe('invalid');
    expect(verifierProgress(pvProgress(plugin(s), 'PV2'), 'fx').state).toBe('fail');
    expect(pvProgress(plugin(s), 'PV1').verifiers.fx).toBeUndefined();
  });

  it('marks every verifier in error when the binding cannot be built', () => {
    const s = foldEvents(
      [ev('PV3', 'announcement', { submission: 's1', name: NAME, archiveHash: 'aa' }), ev('PV3', 'binding-failed', { submission: 's1', name: NAME, code: 'compile', message: 'clang failed' })],
      'PR',
    );
    const pv = pvProgress(plugin(s), 'PV3');
    expect(pv).toMatchObject({ stage: 'binding-failed', decision: 'invalid', bindingError: { code: 'compile', message: 'clang failed' } });
    expect(verifierProgress(pv, 'cc')).toMatchObject({ state: 'error', note: 'binding not built: clang failed' });
  });

  it('starts over for a new submission and ignores what comes late about the old one', () => {
    let s = foldEvents(pvRun('PV1', 's1', { wf: 'fail' }, false), 'PR');
    s = applyEvent(s, ev('daemon', 'plugin-submitted', { name: NAME, version: 2, archiveHash: 'bb', submissionId: 's2' }), 'PR');
    expect(currentSubmission(plugin(s))).toBe('s2');
    expect(plugin(s).version).toBe(2);
    // PV1 has not announced s2 yet: it waits, whatever it decided about s1.
    expect(pvProgress(plugin(s), 'PV1')).toMatchObject({ stage: 'waiting', decision: 'pending', submission: 's2' });
    s = applyEvent(s, ev('PV1', 'announcement', { submission: 's2', name: NAME, archiveHash: 'bb' }), 'PR');
    s = applyEvent(s, ev('PV1', 'verifier-finished', { submission: 's1', verifier: 'wf', verdict: 'pass' }), 'PR');
    s = applyEvent(s, ev('PV1', 'announcement', { submission: 's1', name: NAME, archiveHash: 'aa' }), 'PR');
    const pv = pvProgress(plugin(s), 'PV1');
    expect(pv).toMatchObject({ submission: 's2', stage: 'announced', decision: 'pending' });
    expect(pv.verifiers).toEqual({});
  });

  it('learns the name of a submission from its announcement when the PV is the first to tell', () => {
    const s = foldEvents(pvRun('PV2', 's9', { wf: 'pass' }, true), 'PR');
    expect(currentSubmission(plugin(s))).toBe('s9');
    expect(s.names.s9).toBe(NAME);
  });

  it('counts each event once and leaves the state untouched by unrelated events', () => {
    const run = pvRun('PV1', 's1', { wf: 'pass' }, true);
    const once = foldEvents(run, 'PR');
    expect(foldEvents(run, 'PR', once)).toEqual(once);
    const after = applyEvent(once, ev('daemon', 'task-log', { taskId: 't', line: 'x' }), 'PR');
    expect(after.plugins).toBe(once.plugins);
    // The PR's own archive-fetched (payload names the PV) is not a PV step.
    const pr = applyEvent(once, ev('PR', 'archive-fetched', { pv: 'PV1', submission: 's1', name: NAME }), 'PR');
    expect(pr.plugins).toBe(once.plugins);
  });

  it("records the PR's receipt of a failure report", () => {
    let s = foldEvents(pvRun('PV2', 's1', { fx: 'fail' }, false), 'PR');
    s = applyEvent(s, ev('PR', 'failure-reported', { pv: 'PV2', submission: 's1', name: NAME, reason: 'r' }), 'PR');
    expect(pvProgress(plugin(s), 'PV2')).toMatchObject({ failureReported: true, decision: 'invalid' });
  });

  it("fills in from the PR's status what the stream did not tell, without overriding it", () => {
    let s = foldEvents(pvRun('PV1', 's2', { wf: 'pass' }, true), 'PR');
    const status: PluginStatus = {
      name: NAME,
      submittedByLab: [{ name: NAME, version: 2, archiveHash: 'bb', submissionId: 's2', submittedMs: 5, bindingHash: 'b-s2' }],
      versions: [
        { id: 's1', name: NAME, version: 1, archiveHash: 'aa', size: 1, files: 1, submitter: 'lab', submittedMs: 1, topics: [], pvs: [] },
        {
          id: 's2',
          name: NAME,
          version: 2,
          archiveHash: 'bb',
          size: 1,
          files: 1,
          submitter: 'lab',
          submittedMs: 5,
          topics: [],
          pvs: [
            { pvId: 'PV1', state: 'fetched', fetchedMs: 6, failure: null },
            {
              pvId: 'PV2',
              state: 'failed',
              fetchedMs: 6,
              failure: {
                pvId: 'PV2',
                submissionId: 's2',
                name: NAME,
                archiveHash: 'bb',
                bindingHash: 'b-s2',
                reason: 'no',
                receivedMs: 9,
                verifiers: [{ id: 'fx', property: 'side_effects', verdict: 'fail', findings: [], log: '' }],
              },
            },
            { pvId: 'PV3', state: 'fetched', fetchedMs: 6, failure: null },
            { pvId: 'PV4', state: 'not-fetched', fetchedMs: null, failure: null },
          ],
        },
      ],
    };
    s = seedFromStatus(s, status);
    const p = plugin(s);
    expect(p).toMatchObject({ version: 2, expectedBinding: 'b-s2' });
    expect(pvProgress(p, 'PV1')).toMatchObject({ decision: 'valid', stage: 'decided' });
    expect(pvProgress(p, 'PV2')).toMatchObject({ decision: 'invalid', failureReported: true, bindingHash: 'b-s2' });
    expect(verifierProgress(pvProgress(p, 'PV2'), 'fx').state).toBe('fail');
    expect(pvProgress(p, 'PV3')).toMatchObject({ decision: 'pending', stage: 'fetched', seeded: true });
    expect(verifierProgress(pvProgress(p, 'PV3'), 'cc').state).toBe('unknown');
    expect(verifierProgress(pvProgress(p, 'PV1'), 'term').state).toBe('queued');
    expect(pvProgress(p, 'PV4').stage).toBe('waiting');
    expect(undecidedFetched(p)).toEqual(['PV3']);
    // A proof of another binding proves nothing about this submission; the expected one does.
    expect(seedInclusion(s, NAME, 'PV3', 4, 'b-s1')).toBe(s);
    const proven = seedInclusion(s, NAME, 'PV3', 4, 'b-s2');
    expect(pvProgress(plugin(proven), 'PV3')).toMatchObject({ decision: 'valid', epoch: 4, epochSource: 'proof' });
    // The PV's own events, when they come after all, take over from the status.
    const live = applyEvent(s, ev('PV3', 'announcement', { submission: 's2', name: NAME, archiveHash: 'bb' }), 'PR');
    expect(pvProgress(plugin(live), 'PV3')).toMatchObject({ stage: 'announced', seeded: false });
    expect(verifierProgress(pvProgress(plugin(live), 'PV3'), 'cc').state).toBe('queued');
  });

  it('notes an upload once, whichever of the answer and the events comes first', () => {
    const a = noteSubmission(emptyProgress(), { name: NAME, submissionId: 's1', version: 1, archiveHash: 'aa', timeMs: 1 });
    const b = applyEvent(a, ev('daemon', 'plugin-submitted', { name: NAME, version: 1, archiveHash: 'aa', submissionId: 's1' }), 'PR');
    expect(plugin(b).submissions).toEqual(['s1']);
    expect(plugin(b)).toBe(plugin(a));
  });
});

describe('plugin rows', () => {
  it("lays out the topology's PVs and verifiers, marks stand-ins, and adds what only the events name", () => {
    const s = foldEvents(pvRun('PV7', 's1', { lint: 'pass' }, true), 'PR');
    const cols = pvColumns(labTopology(), [{ pvId: 'PV3', verifierId: 'cc', reason: 'clang is not installed' }], plugin(s));
    expect(cols.map((c) => c.id)).toEqual(['PV1', 'PV2', 'PV3', 'PV7']);
    expect(cols.slice(2)).toEqual([
      {
        id: 'PV3',
        verifiers: [
          { id: 'cc', kind: 'compile', property: 'compiles', unavailable: 'clang is not installed' },
          { id: 'ok', kind: 'dummy-pass', property: 'accepted' },
        ],
      },
      { id: 'PV7', verifiers: [{ id: 'lint', kind: '?', property: '?' }] },
    ]);
    expect(pvColumns(undefined, [])).toEqual([]);
  });
});
