// Long operations: list, one task, cancel.
import { Router } from 'express';
import { ApiError } from '../api-error.ts';
import type { Lab } from '../../lab.ts';

export function taskRoutes(lab: Lab): Router {
  const r = Router();
  r.get('/tasks', (_req, res) => {
    res.json({ tasks: lab.tasks.list() });
  });
  r.get('/tasks/:id', (req, res) => {
    const task = lab.tasks.get(req.params.id);
    if (task === undefined) throw new ApiError(404, 'unknown-task', `no task ${req.params.id}`);
    res.json({ task });
  });
  r.post('/tasks/:id/cancel', (req, res) => {
    const task = lab.tasks.get(req.params.id);
    if (task === undefined) throw new ApiError(404, 'unknown-task', `no task ${req.params.id}`);
    if (!lab.tasks.cancel(task.id)) throw new ApiError(409, 'task-over', `task ${task.id} has already ended (${task.status})`);
    res.status(202).json({ task });
  });
  return r;
}
