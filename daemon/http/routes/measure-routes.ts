// Result files of the benchmarks (measures/results/*.json) and their plots.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Router } from 'express';
import { ApiError } from '../api-error.ts';

export function measureRoutes(resultsDir: string): Router {
  const r = Router();
  const files = (): { file: string; bytes: number; modifiedMs: number }[] => {
    let names: string[];
    try {
      names = readdirSync(resultsDir);
    } catch {
      return [];
    }
    return names
      .filter((n) => /^[A-Za-z0-9_.-]+\.(json|svg)$/.test(n))
      .sort()
      .map((file) => {
        const st = statSync(join(resultsDir, file));
        return { file, bytes: st.size, modifiedMs: st.mtimeMs };
      });
  };
  r.get('/measures', (_req, res) => {
    res.json({ dir: resultsDir, files: files() });
  });
  r.get('/measures/:file', (req, res) => {
    const file = req.params.file;
    if (!files().some((f) => f.file === file)) throw new ApiError(404, 'not-found', `no result file "${file}"`);
    const text = readFileSync(join(resultsDir, file), 'utf8');
    if (file.endsWith('.svg')) res.type('image/svg+xml').send(text);
    else res.type('application/json').send(text);
  });
  return r;
}
