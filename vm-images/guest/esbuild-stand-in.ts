// Stands in for esbuild inside the service bundle. The PV's verifier pool
// bundles its worker with esbuild at run time; the guest has no esbuild (nor
// the sources), so the worker is bundled when the image is built and sits
// beside spms.mjs as verifier-worker.mjs: "building" it is copying it.
import { copyFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export function build(options: { entryPoints: string[]; outfile: string }): Promise<void> {
  const entry = options.entryPoints[0] ?? '';
  if (!entry.endsWith('verifier-worker.ts')) return Promise.reject(new Error(`the service bundle carries only the verifier worker prebuilt, not ${entry}`));
  copyFileSync(fileURLToPath(new URL('./verifier-worker.mjs', import.meta.url)), options.outfile);
  return Promise.resolve();
}
