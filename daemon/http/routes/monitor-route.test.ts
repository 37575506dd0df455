// POST /api/monitor and its epoch window, against a real daemon on loopback
// with a real PR and PV: validation and its errors, then the epochs actually
// checked for each window, and a window checked in spans with the chain
// verified across them.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Daemon } from '../../daemon.ts';
import { DaemonClient, DaemonRequestError } from '../../daemon-client.ts';
import { monitorWindow } from '../../services/monitor-window.ts';
import { pvClient, trustedStrKey } from '../../services/pv-access.ts';

const NAME = 'org.example.watched';
const topology = {
  pr: { id: 'PR' },
  pvs: [{ id: 'PV1', verifiers: [{ id: 'ok', kind: 'dummy-pass', property: 'accepted' }], formula: 'accepted', epochLengthMs: 150 }],
};

interface Answer {
  names: string[];
  ranges: { pvId: string; from: number | null; to: number | null; latest: number }[];
  alerts: { code: string }[];
  observations: { pvId: string; name: string; epoch: number; state: string }[];
  unreachable: unknown[];
}

let dir: string;
let daemon: Daemon;
let client: DaemonClient;

async function apiError(p: Promise<unknown>): Promise<DaemonRequestError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof DaemonRequestError) return e;
    throw e;
  }
  throw new Error('the request succeeded');
}

const monitor = (body: Record<string, unknown>): Promise<Answer> => client.post<Answer>('/api/monitor', { names: [NAME], ...body });
const epochs = (a: Answer): number[] => a.observations.map((o) => o.epoch);
const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'spms-monitor-route-'));
  daemon = await Daemon.start({ labDir: dir, port: 0, caKeyBits: 2048, deploy: 'never' });
  client = new DaemonClient(daemon.url, daemon.token);
});

afterAll(async () => {
  await daemon.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('POST /api/monitor', { timeout: 60_000 }, () => {
  it('refuses a bad window or body with a clear 400, before anything else', async () => {
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ fromEpoch: 5, toEpoch: 3 }, 'bad-parameter', /^fromEpoch \(5\) is after toEpoch \(3\)$/],
      [{ fromEpoch: -1 }, 'bad-parameter', /^fromEpoch must be a non-negative integer/],
      [{ toEpoch: 1.5 }, 'bad-parameter', /^toEpoch must be a non-negative integer/],
      [{ fromEpoch: '3' }, 'bad-parameter', /^fromEpoch must be a non-negative integer/],
      [{ lastEpochs: 0 }, 'bad-parameter', /^lastEpochs must be a positive integer/],
      [{ fromEpoch: 1, lastEpochs: 10 }, 'bad-parameter', /^give fromEpoch or lastEpochs, not both$/],
      [{ toEpcoh: 3 }, 'bad-parameter', /^unknown field toEpcoh \(expected names, expect, fromEpoch, toEpoch, lastEpochs\)$/],
      [{ names: [] }, 'bad-parameter', /^names must be a list of 1 to 100 plugin names$/],
      [{ names: ['Not A Name'] }, 'bad-name', /./],
      [{ expect: { [NAME]: ['abc'] } }, 'bad-parameter', /^expect\.org\.example\.watched\[\] must be 64 lowercase hex digits$/],
    ];
    for (const [body, code, message] of cases) {
      const e = await apiError(monitor(body));
      expect([e.status, e.code, e.message], JSON.stringify(body)).toEqual([400, code, expect.stringMatching(message)]);
    }
    // A valid window reaches the next check: the lab is not deployed.
    expect((await apiError(monitor({ lastEpochs: 50, toEpoch: 9 }))).code).toBe('not-deployed');
  });

  describe('on a deployed lab', () => {
    let latest: number;

    beforeAll(async () => {
      await client.put('/api/lab/topology', { topology });
      const { task } = await client.post<{ task: { id: string } }>('/api/lab/deploy');
      expect((await daemon.lab.tasks.finished(task.id))?.status).toBe('succeeded');
      // Enough epochs for every window below.
      await new Promise<void>((resolve) => {
        const off = daemon.lab.hub.subscribe((e) => {
          if (e.node !== 'PV1' || e.type !== 'epoch-published' || (e.payload.epoch as number) < 10) return;
          off();
          resolve();
        });
      });
    }, 60_000);

    it('checks from epoch 0 to the latest when no window is given', async () => {
      const a = await monitor({});
      latest = a.ranges[0]?.latest ?? -1;
      expect(latest).toBeGreaterThanOrEqual(10);
      expect(a.ranges).toEqual([{ pvId: 'PV1', from: 0, to: latest, latest }]);
      expect(epochs(a)).toEqual(range(0, latest));
      expect(a.observations.every((o) => o.state === 'absent' && o.pvId === 'PV1' && o.name === NAME)).toBe(true);
      expect(a.alerts).toEqual([]);
    });

    it('checks exactly the epochs asked for', async () => {
      const a = await monitor({ fromEpoch: 2, toEpoch: 5 });
      expect(a.ranges).toEqual([{ pvId: 'PV1', from: 2, to: 5, latest: expect.any(Number) }]);
      expect(epochs(a)).toEqual([2, 3, 4, 5]);
      expect(a.alerts).toEqual([]);
      expect(epochs(await monitor({ lastEpochs: 3, toEpoch: 6 }))).toEqual([4, 5, 6]);
      expect(epochs(await monitor({ lastEpochs: 50, toEpoch: 6 }))).toEqual(range(0, 6));
    });

    it('takes the last N epochs of the chain, and a window past the chain as nothing to check', async () => {
      const a = await monitor({ lastEpochs: 4 });
      const end = a.ranges[0]?.latest ?? -1;
      expect(end).toBeGreaterThanOrEqual(latest);
      expect(a.ranges).toEqual([{ pvId: 'PV1', from: end - 3, to: end, latest: end }]);
      expect(epochs(a)).toEqual(range(end - 3, end));
      const beyond = await monitor({ fromEpoch: 1_000_000 });
      expect(beyond.ranges).toEqual([{ pvId: 'PV1', from: null, to: null, latest: expect.any(Number) }]);
      expect(beyond.observations).toEqual([]);
      expect(beyond.alerts).toEqual([]);
    });

    it('checks a window in spans, verifying the chain across them', async () => {
      const pv = pvClient(daemon.lab, 'PV1');
      const target = { client: pv, strPublicKey: await trustedStrKey(daemon.lab, 'PV1', pv) };
      const result = await monitorWindow(target, new Map([[NAME, []]]), { from: 1, to: 8 }, 3);
      expect(result.alerts).toEqual([]);
      expect(result.observations.map((o) => o.epoch)).toEqual(range(1, 8));
    });
  });
});
