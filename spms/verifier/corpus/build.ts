// Builds the corpus: every C pluglet under pluglets/ is compiled with the
// PV's recipe (compile.ts) into `outDir`. Run as a script to build by hand:
//   node --import tsx spms/verifier/corpus/build.ts OUT_DIR
import { readFile, readdir, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileFile } from '../compile.ts';
import type { Finding } from '../finding.ts';
import type { CorpusHeader } from './expectations.ts';
import { parseHeader } from './expectations.ts';

export const corpusDir = fileURLToPath(new URL('.', import.meta.url));
export const includeDir = join(corpusDir, 'include');
export const plugletsDir = join(corpusDir, 'pluglets');

export interface CorpusEntry extends CorpusHeader {
  name: string;
  object?: Uint8Array;
  findings: Finding[];
}

async function mapLimit<T, R>(items: T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i] as T);
      }
    }),
  );
  return out;
}

export async function buildCorpus(outDir?: string): Promise<CorpusEntry[]> {
  const files = (await readdir(plugletsDir)).filter((f) => f.endsWith('.c')).sort();
  if (outDir !== undefined) await mkdir(outDir, { recursive: true });
  return mapLimit(files, 2, async (file) => {
    const header = parseHeader(await readFile(join(plugletsDir, file), 'utf8'), file);
    const r = await compileFile(plugletsDir, file, { includeDirs: [includeDir] });
    const name = file.slice(0, -2);
    if (r.object !== undefined && outDir !== undefined) await writeFile(join(outDir, `${name}.o`), r.object);
    const entry: CorpusEntry = { name, ...header, findings: r.findings };
    if (r.object !== undefined) entry.object = r.object;
    return entry;
  });
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const out = process.argv[2];
  if (out === undefined) {
    console.error('usage: build.ts OUT_DIR');
    process.exitCode = 2;
  } else {
    const entries = await buildCorpus(out);
    for (const e of entries) console.log(`${e.object === undefined ? 'FAILED' : 'ok    '} ${e.name}${e.findings.length > 0 ? `  (${e.findings.map((f) => f.message).join('; ')})` : ''}`);
    await writeFile(
      join(out, 'index.json'),
      JSON.stringify(
        entries.map(({ object: _o, ...rest }) => rest),
        null,
        2,
      ),
    );
  }
}
