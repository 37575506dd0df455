// The binding generator: safe unpack of the submitted archive, the `.plugin`
// manifest, C sources compiled into PQUIC-loadable objects when present (the
// PV's own objects then replace submitted ones), and the canonical binding.
import { rm } from 'node:fs/promises';
import { bindingHash, encodeBinding, type Binding } from '../core/index.ts';
import { readPluginArchive } from '../verifier/archive/index.ts';
import { compilePlugin, materialise } from '../verifier/compile.ts';
import { parseManifest, plugletEntries } from '../verifier/manifest.ts';
import { BindingBuildError, type BuiltBinding } from './built-binding.ts';

const describe = (e: unknown): string => (e instanceof Error ? e.message : String(e));

export async function buildBindingFromArchive(archive: Uint8Array, expectedName: string): Promise<BuiltBinding> {
  let tree;
  try {
    tree = await readPluginArchive(archive);
  } catch (e) {
    throw new BindingBuildError((e as { code?: string }).code ?? 'archive', `archive refused: ${describe(e)}`);
  }
  if (tree.name !== expectedName) throw new BindingBuildError('name-mismatch', `the archive holds "${tree.name}", but "${expectedName}" was announced`);
  const manifestFile = tree.files.find((f) => !f.path.includes('/') && f.path.endsWith('.plugin'));
  if (manifestFile === undefined) throw new BindingBuildError('layout', 'the plugin has no manifest');
  let manifest;
  try {
    manifest = parseManifest(new TextDecoder('utf-8', { fatal: true }).decode(manifestFile.data));
  } catch (e) {
    throw new BindingBuildError('manifest', `manifest ${manifestFile.path}: ${describe(e)}`);
  }
  if (manifest.name !== tree.name) throw new BindingBuildError('name-mismatch', `the manifest names "${manifest.name}", but the plugin directory is "${tree.name}"`);

  const dir = await materialise(tree.files);
  let compiled;
  try {
    compiled = await compilePlugin(dir, manifest);
  } catch (e) {
    throw new BindingBuildError((e as { code?: string }).code ?? 'compile', `compilation failed: ${describe(e)}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const errors = compiled.findings.filter((f) => f.severity === 'error');
  if (errors.length > 0) {
    throw new BindingBuildError('compile-failed', `compilation failed: ${errors.map((f) => f.message).join('; ')}`, compiled.log);
  }
  const pluglets: Record<string, Uint8Array> = {};
  for (const entry of plugletEntries(manifest)) {
    const object = compiled.objects[entry.path] ?? tree.files.find((f) => f.path === entry.path)?.data;
    if (object === undefined) throw new BindingBuildError('missing-object', `line ${entry.line}: ${entry.path} is neither submitted nor buildable from ${entry.path.replace(/\.o$/, '.c')}`);
    pluglets[entry.path] = object;
  }
  const binding: Binding = { v: 1, name: tree.name, manifest: manifestFile.data, pluglets };
  const objectPaths = new Set(Object.keys(pluglets));
  return {
    binding,
    bytes: encodeBinding(binding),
    hash: bindingHash(binding),
    sources: tree.files.filter((f) => f !== manifestFile && !objectPaths.has(f.path)),
  };
}
