// Lab topology, deployment and node routes.
import { Router } from 'express';
import { ApiError } from '../api-error.ts';
import type { Lab } from '../../lab.ts';
import { LibvirtSettingsError } from '../../providers/libvirt/libvirt-settings.ts';
import { defaultTopology } from '../../state/topology.ts';
import { labTerraformExport } from '../../terraform/lab-terraform.ts';
import { TerraformExportError } from '../../terraform/terraform-vars.ts';
import { unavailableVerifiers } from '../../verifier-availability.ts';

function tailParam(raw: unknown): number {
  if (raw === undefined) return 200;
  if (typeof raw !== 'string' || !/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > 2000) throw new ApiError(400, 'bad-parameter', 'tail must be an integer from 1 to 2000');
  return Number(raw);
}

export function labRoutes(lab: Lab): Router {
  const r = Router();
  r.get('/lab', async (_req, res) => {
    const s = lab.store.state;
    res.json({ dir: lab.paths.dir, topology: s.topology, provider: s.provider, deployment: s.deployment, labDeveloper: s.labDeveloper, unavailable: await unavailableVerifiers(s.topology) });
  });
  r.get('/lab/topology', (_req, res) => {
    res.json({ topology: lab.topology });
  });
  r.get('/lab/topology/default', (_req, res) => {
    res.json({ topology: defaultTopology() });
  });
  r.put('/lab/topology', async (req, res) => {
    const topology = await lab.setTopology((req.body as { topology?: unknown } | undefined)?.topology);
    res.json({ topology, unavailable: await unavailableVerifiers(topology) });
  });
  r.get('/lab/terraform', (_req, res) => {
    try {
      res.json(labTerraformExport(lab.paths.dir, lab.store.state));
    } catch (e) {
      // The lab's own state cannot be described for terraform/ (too many hosts, a bad key…).
      if (e instanceof TerraformExportError || e instanceof LibvirtSettingsError) throw new ApiError(409, e.code, e.message);
      throw e;
    }
  });
  r.post('/lab/deploy', (_req, res) => {
    res.status(202).json({ task: lab.deploy() });
  });
  r.post('/lab/teardown', (_req, res) => {
    res.status(202).json({ task: lab.teardown() });
  });
  r.get('/lab/status', (_req, res) => {
    res.json(lab.status());
  });
  r.get('/nodes/:id/logs', (req, res) => {
    const id = req.params.id;
    if (id !== lab.topology.pr.id && !lab.topology.pvs.some((p) => p.id === id)) throw new ApiError(404, 'unknown-node', `no node "${id}" in the topology`);
    res.json({ node: id, lines: lab.provider.logs(id, tailParam(req.query.tail)) });
  });
  return r;
}
