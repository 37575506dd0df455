// The lab's VM images: what is built, build (as a task: steps, progress,
// log tail, cancel) and prune.
import { Router } from 'express';
import { z } from 'zod';
import { ApiError } from '../api-error.ts';
import type { Lab } from '../../lab.ts';

const buildSchema = z.object({ role: z.enum(['pr', 'pv', 'all']).default('all'), refresh: z.boolean().default(false) }).strict();

export function imageRoutes(lab: Lab): Router {
  const r = Router();
  r.get('/images', (_req, res) => {
    res.json({ dir: lab.images.store.dir, images: lab.images.list() });
  });
  r.post('/images/build', (req, res) => {
    const body = buildSchema.safeParse(req.body ?? {});
    if (!body.success)
      throw new ApiError(
        400,
        'bad-image-build',
        `expected {role?: "pr" | "pv" | "all", refresh?: boolean}: ${body.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`,
      );
    res.status(202).json({ task: lab.buildImages(body.data.role, body.data.refresh) });
  });
  r.post('/images/prune', async (_req, res) => {
    res.json({ removed: await lab.pruneImages() });
  });
  return r;
}
