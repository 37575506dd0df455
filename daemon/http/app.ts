// The daemon's HTTP surface: Host check and token on everything but
// /healthz, a one-time login URL for browsers, the JSON API under /api with
// one error shape, and the renderer's files at /.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Lab } from '../lab.ts';
import { TopologyError } from '../state/topology.ts';
import { ApiError } from './api-error.ts';
import type { DaemonAuth } from './auth.ts';
import { caRoutes } from './routes/ca-routes.ts';
import { chainRoutes } from './routes/chain-routes.ts';
import { imageRoutes } from './routes/image-routes.ts';
import { labRoutes } from './routes/lab-routes.ts';
import { measureRoutes } from './routes/measure-routes.ts';
import { peerRoutes } from './routes/peer-routes.ts';
import { pluginRoutes } from './routes/plugin-routes.ts';
import { providerRoutes } from './routes/provider-routes.ts';
import { taskRoutes } from './routes/task-routes.ts';

export interface AppOptions {
  /** The renderer's built files; a placeholder page is served when absent. */
  staticDir: string;
  resultsDir: string;
}

const PLACEHOLDER = join(import.meta.dirname, '..', 'static');

function sendError(res: Response, e: ApiError): void {
  res.status(e.status).json(e.toJSON());
}

export function createApp(lab: Lab, auth: DaemonAuth, opts: AppOptions): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use((req, res, next) => {
    if (!auth.hostAllowed(req.headers.host)) return sendError(res, new ApiError(421, 'bad-host', 'the Host header must name the daemon on 127.0.0.1 or localhost'));
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('referrer-policy', 'no-referrer');
    next();
  });
  app.get('/healthz', (_req, res) => {
    res.json({ ok: true, lab: lab.paths.dir, deployment: lab.store.state.deployment.status });
  });
  app.get('/login', (req, res) => {
    const code = typeof req.query.code === 'string' ? req.query.code : '';
    if (!auth.redeemLoginCode(code)) {
      res.status(401).type('text/plain').send('This login link was already used or has expired. Run "spms lab open" for a new one.\n');
      return;
    }
    res.setHeader('set-cookie', auth.cookieHeader());
    res.redirect(303, '/');
  });
  app.use((req, res, next) => {
    if (auth.authenticated(req)) return next();
    if (req.path.startsWith('/api/')) return sendError(res, new ApiError(401, 'unauthorized', 'a valid token is required (Authorization: Bearer <token>, or log in through "spms lab open")'));
    res.status(401).type('text/plain').send('Not logged in. Run "spms lab open" (or look at the URL "spms daemon" printed) to open the lab panel.\n');
  });
  const api = express.Router();
  api.use(express.json({ limit: '1mb' }));
  api.use(labRoutes(lab));
  api.use(providerRoutes(lab));
  api.use(imageRoutes(lab));
  api.use(taskRoutes(lab));
  api.use(caRoutes(lab));
  api.use(pluginRoutes(lab));
  api.use(chainRoutes(lab));
  api.use(peerRoutes(lab));
  api.use(measureRoutes(opts.resultsDir));
  api.post('/login-url', (_req, res) => {
    res.json({ path: `/login?code=${auth.newLoginCode()}` });
  });
  api.use((req) => {
    throw new ApiError(404, 'not-found', `no route ${req.method} /api${req.path}`);
  });
  app.use('/api', api);
  const staticDir = existsSync(join(opts.staticDir, 'index.html')) ? opts.staticDir : PLACEHOLDER;
  app.use(express.static(staticDir, { index: 'index.html', fallthrough: true }));
  app.use((req, res) => {
    if (req.method === 'GET' && req.accepts('html') !== false) res.sendFile(join(staticDir, 'index.html'));
    else sendError(res, new ApiError(404, 'not-found', `no ${req.path}`));
  });
  app.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err);
    if (err instanceof ApiError) return sendError(res, err);
    if (err instanceof TopologyError) return sendError(res, new ApiError(400, err.code, err.message, { issues: err.issues }));
    const e = err as { type?: string; status?: number; message?: string };
    if (e.type === 'entity.parse.failed') return sendError(res, new ApiError(400, 'bad-json', `the body is not valid JSON: ${e.message ?? ''}`));
    if (e.type === 'entity.too.large') return sendError(res, new ApiError(413, 'body-too-large', 'the JSON body exceeds 1 MiB'));
    if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) return sendError(res, new ApiError(e.status, 'bad-request', e.message ?? 'bad request'));
    lab.hub.emit({ node: 'daemon', type: 'error', payload: { message: e.message ?? String(err) } });
    sendError(res, new ApiError(500, 'internal', e.message ?? 'internal error'));
  });
  return app;
}
