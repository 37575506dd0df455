// Packs a plugin tree as a deterministic tar.gz (sorted entries, fixed
// times, owners and modes), so the same plugin always has the same bytes and
// the same archive hash.
import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';
import type { PluginTree } from './plugin-tree.ts';

const EPOCH = new Date(0);

export async function packPluginArchive(tree: PluginTree): Promise<Uint8Array> {
  const p = pack();
  const chunks: Buffer[] = [];
  p.on('data', (c: unknown) => void chunks.push(c as Buffer));
  const done = new Promise<void>((resolve, reject) => {
    p.on('end', resolve);
    p.on('error', reject);
  });
  const common = { mtime: EPOCH, uid: 0, gid: 0, uname: '', gname: '' };
  const dirs = new Set<string>([tree.name]);
  for (const f of tree.files) {
    const parts = f.path.split('/');
    for (let i = 1; i < parts.length; i++) dirs.add(`${tree.name}/${parts.slice(0, i).join('/')}`);
  }
  for (const d of [...dirs].sort()) p.entry({ ...common, name: `${d}/`, type: 'directory', mode: 0o755 });
  for (const f of [...tree.files].sort((a, b) => (a.path < b.path ? -1 : 1)))
    p.entry({ ...common, name: `${tree.name}/${f.path}`, type: 'file', mode: 0o644, size: f.data.length }, Buffer.from(f.data));
  p.finalize();
  await done;
  return new Uint8Array(gzipSync(Buffer.concat(chunks), { level: 9 }));
}
