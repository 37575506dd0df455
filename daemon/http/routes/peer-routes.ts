// The peer's bundle check and the developer's monitor.
import { Router } from 'express';
import type { Lab } from '../../lab.ts';
import { monitor } from '../../services/monitor-service.ts';
import { checkBundleFor } from '../../services/peer-service.ts';

export function peerRoutes(lab: Lab): Router {
  const r = Router();
  r.post('/bundles/check', async (req, res) => {
    res.json(await checkBundleFor(lab, (req.body ?? {}) as Record<string, unknown>));
  });
  r.post('/monitor', async (req, res) => {
    res.json(await monitor(lab, req.body));
  });
  return r;
}
