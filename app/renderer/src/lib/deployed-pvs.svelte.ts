// The PVs of the deployed lab, kept current across deploys and teardowns,
// for the views that pick a PV.
import { api } from './api.ts';
import { failureOf, type Failure } from './api-failure.ts';
import type { LabInfo } from './api-types.ts';
import { labEvents } from './events.svelte.ts';

const LAB_CHANGES = new Set(['lab-deployed', 'lab-torn-down', 'topology-changed']);

/** Ids of the PVs a lab has running: none unless it is deployed. */
export function pvsOf(lab: Pick<LabInfo, 'deployment'>): string[] {
  if (lab.deployment.status !== 'deployed') return [];
  return lab.deployment.nodes.filter((n) => n.role === 'pv').map((n) => n.id);
}

export class DeployedPvs {
  pvs = $state<string[]>([]);
  loaded = $state(false);
  error = $state<Failure | null>(null);
  private generation = 0;

  async refresh(): Promise<void> {
    const mine = ++this.generation;
    try {
      const lab = await api.lab();
      if (mine !== this.generation) return;
      this.pvs = pvsOf(lab);
      this.error = null;
    } catch (e) {
      if (mine !== this.generation) return;
      this.error = failureOf(e);
    } finally {
      if (mine === this.generation) this.loaded = true;
    }
  }

  /** Loads now and again whenever the lab is deployed or torn down; returns the stop function (for $effect). */
  follow(): () => void {
    void this.refresh();
    return labEvents.on((e) => {
      if (e.node === 'daemon' && LAB_CHANGES.has(e.type)) void this.refresh();
    });
  }
}
