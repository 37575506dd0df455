// Where the lab's nodes run: the provider, its settings, and what this host
// can do (the accelerator VMs would get, tools missing for VMs).
import { Router } from 'express';
import type { Lab } from '../../lab.ts';

export function providerRoutes(lab: Lab): Router {
  const r = Router();
  r.get('/lab/provider', async (_req, res) => {
    res.json(await lab.providerInfo());
  });
  r.put('/lab/provider', async (req, res) => {
    res.json(await lab.setProvider(req.body as unknown));
  });
  return r;
}
