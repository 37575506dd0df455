// Plugins: upload (submitted with the lab developer's identity), list, status per PV.
import { Router } from 'express';
import type { Lab } from '../../lab.ts';
import { listPlugins, pluginStatus, submitPlugin } from '../../services/plugin-service.ts';
import { readUploadedPlugin } from '../plugin-upload.ts';

export function pluginRoutes(lab: Lab): Router {
  const r = Router();
  r.post('/plugins', async (req, res) => {
    lab.prUrl(); // refuse before reading the body when the lab is not deployed
    const upload = await readUploadedPlugin(req);
    const record = await submitPlugin(lab, upload);
    res.status(record.created ? 201 : 200).json(record);
  });
  r.get('/plugins', async (_req, res) => {
    res.json(await listPlugins(lab));
  });
  r.get('/plugins/:name', async (req, res) => {
    res.json(await pluginStatus(lab, req.params.name));
  });
  return r;
}
