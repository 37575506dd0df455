// Each PV's STR chain and lookup proofs, checked by the daemon.
import { Router } from 'express';
import { ApiError } from '../api-error.ts';
import type { Lab } from '../../lab.ts';
import { epochs, proof } from '../../services/epoch-service.ts';

function epochParam(raw: unknown, what: string): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (typeof raw !== 'string' || !/^\d{1,15}$/.test(raw)) throw new ApiError(400, 'bad-parameter', `${what} must be a non-negative integer epoch`);
  return Number(raw);
}

export function chainRoutes(lab: Lab): Router {
  const r = Router();
  r.get('/pvs/:id/epochs', async (req, res) => {
    res.json(await epochs(lab, req.params.id, epochParam(req.query.from, 'from'), epochParam(req.query.to, 'to')));
  });
  r.get('/proofs/:name', async (req, res) => {
    const pv = req.query.pv;
    if (typeof pv !== 'string' || pv === '') throw new ApiError(400, 'bad-parameter', 'pv is required: which PV the proof comes from');
    res.json(await proof(lab, req.params.name, pv, epochParam(req.query.epoch, 'epoch')));
  });
  return r;
}
