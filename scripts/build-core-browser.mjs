// Bundles spms/core (and spms/client once it exists) for the browser platform.
// A Node built-in reaching these folders makes this build fail, which is the point.
import { build } from 'esbuild';
import { existsSync } from 'node:fs';

const entries = ['spms/core/index.ts', 'spms/client/index.ts'].filter((p) => existsSync(p));
await build({
  entryPoints: entries,
  bundle: true,
  platform: 'browser',
  format: 'esm',
  target: 'es2022',
  outdir: 'dist/browser',
  logLevel: 'warning',
  metafile: false,
});
console.log(`browser build ok: ${entries.join(', ')}`);
