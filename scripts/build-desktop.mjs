// Bundles the desktop shell for Electron: app/main (main process) and
// app/preload (sandboxed preload) into app/dist-desktop/main.cjs and
// preload.cjs, CommonJS for Node, with 'electron' left to Electron itself.
// Each file is replaced atomically, so a running shell or test never reads
// half a bundle.
import { build } from 'esbuild';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const common = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node22',
  logLevel: 'warning',
  write: false,
  // bin/lib/lab-daemon.ts finds bin/spms.js through import.meta.dirname only
  // when its caller names no entry point; the shell always names one.
  logOverride: { 'empty-import-meta': 'silent' },
};
const results = await Promise.all([
  // ws's optional native add-ons stay optional (it falls back without them).
  build({ ...common, entryPoints: ['app/main/main.ts'], outfile: 'app/dist-desktop/main.cjs', external: ['electron', 'bufferutil', 'utf-8-validate'] }),
  build({ ...common, entryPoints: ['app/preload/preload.ts'], outfile: 'app/dist-desktop/preload.cjs', external: ['electron'] }),
]);
for (const { outputFiles } of results) {
  for (const f of outputFiles) {
    mkdirSync(dirname(f.path), { recursive: true });
    const tmp = `${f.path}.${process.pid}.tmp`;
    writeFileSync(tmp, f.contents);
    renameSync(tmp, f.path);
  }
}
console.log('desktop build ok: app/dist-desktop/main.cjs, app/dist-desktop/preload.cjs');
