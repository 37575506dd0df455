// Builds spms/core/wasm/sha256.c into the WebAssembly module the protocol
// core embeds (spms/core/wasm/sha256-module.ts, base64). Deterministic: the
// same clang and wasm-ld give the same bytes, and `--check` fails when the
// embedded module differs from a fresh build (the test command runs it).
//   node scripts/build-sha256-wasm.mjs [--check]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const source = join(root, 'spms/core/wasm/sha256.c');
const target = join(root, 'spms/core/wasm/sha256-module.ts');
const check = process.argv.includes('--check');

const dir = mkdtempSync(join(tmpdir(), 'sha256-wasm-'));
try {
  const object = join(dir, 'sha256.o');
  const wasm = join(dir, 'sha256.wasm');
  execFileSync('clang', ['--target=wasm32', '-O3', '-nostdlib', '-ffreestanding', '-fno-builtin', '-c', '-o', object, source], { stdio: 'inherit' });
  // 2 pages of memory, never grown: the scratch area, the slots and an 8 KiB stack fit.
  execFileSync('wasm-ld', ['--no-entry', '--strip-all', '-z', 'stack-size=8192', '--initial-memory=131072', '--max-memory=131072', '-o', wasm, object], { stdio: 'inherit' });
  const base64 = readFileSync(wasm).toString('base64');
  const lines = base64.match(/.{1,100}/g) ?? [];
  const text =
    '// The WebAssembly build of sha256.c (scripts/build-sha256-wasm.mjs writes this\n' +
    '// file; edit the C source and rebuild instead).\n' +
    `export const SHA256_WASM_BASE64 =\n${lines.map((l, i) => `  '${l}'${i === lines.length - 1 ? ';' : ' +'}`).join('\n')}\n`;
  if (check) {
    if (readFileSync(target, 'utf8') !== text) {
      console.error(`${target} differs from a fresh build of ${source}: run node scripts/build-sha256-wasm.mjs`);
      process.exit(1);
    }
    console.log('sha256 WebAssembly module: up to date');
  } else {
    writeFileSync(target, text);
    console.log(`wrote ${target} (${readFileSync(wasm).length} bytes of WebAssembly)`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
