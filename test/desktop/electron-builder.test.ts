// The desktop package's configuration (app/electron-builder.yml): every file
// it names exists once the shell is built, the bundles need nothing beyond
// Electron and Node, the code it packs imports only production dependencies
// (devDependencies are left out of the package), and the versions are pinned.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const ROOT = join(import.meta.dirname, '..', '..');
const CONFIG = 'app/electron-builder.yml';

interface BuilderConfig {
  appId?: string;
  productName?: string;
  directories?: { output?: string; buildResources?: string };
  extraMetadata?: { main?: string };
  files?: string[];
  linux?: { target?: string[]; category?: string; icon?: string };
}

interface PackageJson {
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
}

const config = parse(readFileSync(join(ROOT, CONFIG), 'utf8')) as BuilderConfig;
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as PackageJson;

/** The fixed part of a glob: 'app/dist/**' → 'app/dist'. */
function globRoot(pattern: string): string {
  const meta = pattern.search(/[*?[{]/);
  return (meta < 0 ? pattern : pattern.slice(0, meta)).replace(/\/+$/, '');
}

function requires(bundle: string): string[] {
  const text = readFileSync(join(ROOT, bundle), 'utf8');
  return [...new Set([...text.matchAll(/\brequire\("([^"]+)"\)/g)].map((m) => m[1] as string))].sort();
}

const nodeBuiltin = (name: string): boolean => name.startsWith('node:') || builtinModules.includes(name);

/** Package names imported (for their values, not only types) by the code files under `dir`, tests left out. */
function importedPackages(dir: string, found: Map<string, string>): void {
  for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules') importedPackages(path, found);
      continue;
    }
    if (!/\.(ts|js|mjs|cjs)$/.test(entry.name) || entry.name.endsWith('.test.ts')) continue;
    const text = readFileSync(join(ROOT, path), 'utf8');
    const specifiers = [
      ...[...text.matchAll(/^\s*(?:import|export)\s+(type\s+)?[^;'"]*?\bfrom\s+'([^']+)'/gms)].filter((m) => m[1] === undefined).map((m) => m[2] as string),
      ...[...text.matchAll(/^\s*import\s+'([^']+)'/gm)].map((m) => m[1] as string),
      ...[...text.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g)].map((m) => m[1] as string),
    ];
    for (const s of specifiers) {
      if (s.startsWith('.') || s.startsWith('/') || nodeBuiltin(s)) continue;
      const name = s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : (s.split('/')[0] as string);
      if (!found.has(name)) found.set(name, path);
    }
  }
}

describe('desktop package (app/electron-builder.yml)', () => {
  beforeAll(() => {
    // The panel (app/dist) is built by the test command before the unit tests; build it when missing.
    if (!existsSync(join(ROOT, 'app', 'dist', 'index.html'))) {
      execFileSync(process.execPath, [join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', 'app/vite.config.ts'], { cwd: ROOT, stdio: 'pipe' });
    }
    execFileSync(process.execPath, ['scripts/build-desktop.mjs'], { cwd: ROOT, stdio: 'pipe' });
  }, 120_000);

  it('names the app and the Linux targets', () => {
    expect(config.appId).toMatch(/^[a-z0-9]+(\.[a-z0-9-]+)+$/);
    expect(config.productName).toBe('SPMS Lab');
    expect(config.linux?.target).toEqual(expect.arrayContaining(['AppImage', 'deb']));
    expect(config.linux?.category).toBe('Development');
    expect(config.directories?.output).toBe('app/release');
    expect(readFileSync(join(ROOT, '.gitignore'), 'utf8').split('\n')).toEqual(expect.arrayContaining(['app/release/', 'app/dist-desktop/']));
  });

  it('references only files that exist after the build', () => {
    const patterns = config.files ?? [];
    expect(patterns.length).toBeGreaterThan(0);
    const missing = patterns
      .filter((p) => !p.startsWith('!'))
      .map(globRoot)
      .filter((root) => root !== '' && !existsSync(join(ROOT, root)));
    expect(missing).toEqual([]);
    for (const dir of ['app/dist-desktop', 'app/dist', 'bin', 'daemon', 'spms', 'certs']) expect(patterns).toContain(`${dir}/**`);
    expect(patterns).toContain('package.json');
    for (const optional of [config.directories?.buildResources, config.linux?.icon]) if (optional !== undefined) expect(existsSync(join(ROOT, optional))).toBe(true);
  });

  it('starts the bundled main process, which finds its preload beside it', () => {
    const main = config.extraMetadata?.main;
    expect(main).toBe('app/dist-desktop/main.cjs');
    expect(statSync(join(ROOT, main as string)).isFile()).toBe(true);
    expect(readFileSync(join(ROOT, main as string), 'utf8')).toContain('preload.cjs');
    expect(statSync(join(ROOT, 'app/dist-desktop/preload.cjs')).isFile()).toBe(true);
    expect(existsSync(join(ROOT, 'bin', 'spms.js'))).toBe(true);
  });

  it('bundles need only Electron and Node (the preload only Electron, as the sandbox allows)', () => {
    expect(requires('app/dist-desktop/preload.cjs')).toEqual(['electron']);
    const outside = requires('app/dist-desktop/main.cjs').filter((r) => r !== 'electron' && !nodeBuiltin(r) && r !== 'bufferutil' && r !== 'utf-8-validate');
    expect(outside).toEqual([]);
  });

  it('packs code that imports production dependencies only', () => {
    const found = new Map<string, string>();
    for (const dir of ['bin', 'daemon', 'spms', 'certs']) importedPackages(dir, found);
    expect(found.size).toBeGreaterThan(0);
    const notProduction = [...found].filter(([name]) => pkg.dependencies[name] === undefined).map(([name, file]) => `${name} (${relative(ROOT, join(ROOT, file))})`);
    expect(notProduction).toEqual([]);
  });

  it('pins electron-builder 26.0.20 in the dist:desktop script and Electron 40.x', () => {
    const script = pkg.scripts['dist:desktop'] ?? '';
    expect([...script.matchAll(/electron-builder@(\S+)/g)].map((m) => m[1])).toEqual(['26.0.20']);
    expect(script).toContain(`--config ${CONFIG}`);
    expect(pkg.devDependencies.electron).toMatch(/^40\.\d+\.\d+$/);
    expect(pkg.dependencies.electron).toBeUndefined();
    // Fetched by npx on a machine with internet: not installable from every registry mirror.
    expect(pkg.dependencies['electron-builder'] ?? pkg.devDependencies['electron-builder']).toBeUndefined();
  });
});
