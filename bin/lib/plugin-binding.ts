// The binding hash of a plugin as a PV computes it: from a folder, an
// archive, or a binding file (CBOR) received with a bundle.
import { readFileSync, statSync } from 'node:fs';
import { bindingHash, decodeBinding } from '../../spms/core/index.ts';
import { buildBindingFromArchive } from '../../spms/pv/binding-generator.ts';
import { packPluginArchive, readPluginArchive, readPluginDirectory } from '../../spms/verifier/archive/index.ts';

export async function pluginBindingHash(path: string): Promise<{ name: string; hash: Uint8Array }> {
  if (statSync(path).isDirectory()) {
    const tree = await readPluginDirectory(path);
    const built = await buildBindingFromArchive(await packPluginArchive(tree), tree.name);
    return { name: tree.name, hash: built.hash };
  }
  const bytes = new Uint8Array(readFileSync(path));
  if (path.endsWith('.cbor') || path.endsWith('.binding')) {
    const b = decodeBinding(bytes);
    return { name: b.name, hash: bindingHash(b) };
  }
  const tree = await readPluginArchive(bytes);
  const built = await buildBindingFromArchive(bytes, tree.name);
  return { name: tree.name, hash: built.hash };
}
