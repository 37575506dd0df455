// The services as the role images carry them: `spms pr` and `spms pv`
// bundled by esbuild into one CommonJS file (vm-images/guest/spms-guest.ts),
// run by spms.mjs (vm-images/guest/spms-loader.ts) through a V8 code cache
// the role image build writes, the verifier worker bundled beside them, the data files the verifier reads at run
// time, and the packages that cannot be bundled (better-sqlite3's native
// addon, found at run time by `bindings`). The guest's runtime is the host's
// own Node.js (it goes into the base image), so the native addon built for
// the host runs there unchanged.
import { cpSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type BuildOptions } from 'esbuild';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const require = createRequire(import.meta.url);

/** Packages copied as files into the bundle's node_modules: only what they need at run time. */
const RUNTIME_PACKAGES: { name: string; files: string[] }[] = [
  { name: 'better-sqlite3', files: ['package.json', 'lib', 'build/Release/better_sqlite3.node'] },
  { name: 'bindings', files: ['package.json', 'bindings.js'] },
  { name: 'file-uri-to-path', files: ['package.json', 'index.js'] },
];

const COMMON: BuildOptions = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  logLevel: 'silent',
  external: ['better-sqlite3'],
  // CommonJS dependencies inside an ES module bundle need a require.
  banner: { js: "import { createRequire as __spmsRequire } from 'node:module'; const require = __spmsRequire(import.meta.url);" },
};

export class ServiceBundleError extends Error {
  readonly code = 'service-bundle-failed';
  constructor(message: string) {
    super(message);
    this.name = 'ServiceBundleError';
  }
}

/**
 * Writes the bundle to `dir/app` (emptied first): spms.mjs, spms-services.cjs, verifier-worker.mjs,
 * data/hl_specs/ and node_modules/. In the guest it becomes /opt/spms/app.
 */
export async function buildServiceBundle(dir: string): Promise<string> {
  const app = join(dir, 'app');
  rmSync(app, { recursive: true, force: true });
  mkdirSync(app, { recursive: true });
  try {
    // CommonJS: V8 takes a code cache for a script (vm.Script), and Node.js 20 has none for ES modules.
    await build({
      ...COMMON,
      format: 'cjs',
      entryPoints: [join(repoRoot, 'vm-images/guest/spms-guest.ts')],
      outfile: join(app, 'spms-services.cjs'),
      // The verifier pool's run-time esbuild call gets the worker prebuilt below.
      alias: { esbuild: join(repoRoot, 'vm-images/guest/esbuild-stand-in.ts') },
      // The sources find files beside them through import.meta.url; in the bundle that is the bundle's own URL.
      define: { 'import.meta.url': '__spmsImportMetaUrl' },
      banner: { js: "const __spmsImportMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
    });
    await build({ ...COMMON, entryPoints: [join(repoRoot, 'vm-images/guest/spms-loader.ts')], outfile: join(app, 'spms.mjs') });
    await build({ ...COMMON, entryPoints: [join(repoRoot, 'spms/pv/verifier-worker.ts')], outfile: join(app, 'verifier-worker.mjs') });
  } catch (e) {
    throw new ServiceBundleError(`esbuild could not bundle the services: ${e instanceof Error ? e.message : String(e)}`);
  }
  cpSync(join(repoRoot, 'spms/verifier/data/hl_specs'), join(app, 'data/hl_specs'), { recursive: true });
  for (const pkg of RUNTIME_PACKAGES) {
    const from = dirname(require.resolve(`${pkg.name}/package.json`));
    for (const file of pkg.files) cpSync(join(from, file), join(app, 'node_modules', pkg.name, file), { recursive: true });
  }
  return app;
}

/** The files of a built bundle, relative to its app directory (for logs and checks). */
export function bundleFiles(app: string): string[] {
  return readdirSync(app, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(app.length + 1))
    .sort();
}
