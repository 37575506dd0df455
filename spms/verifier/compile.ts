// The compile recipe that yields objects PQUIC loads correctly with Debian's
// clang/LLVM 14:
//  1. clang emits unoptimised LLVM IR for the host triple (the BPF triple
//     breaks on glibc headers; the host's 64-bit layout is the one PQUIC
//     itself is built with), leaving every optimisation to step 3;
//  2. the IR is rewritten so every function but the pluglet's entry point is
//     internal and always_inline (PQUIC cannot load BPF-to-BPF calls), and
//     every private constant becomes a named internal one, so that
//     `-data-sections` gives each string its own section and no string
//     relocation carries an addend (PQUIC ignores addends);
//  3. opt -O2 (without run-time unrolling or vectorisation, whose remainder
//     loops are hard to bound) inlines and cleans up; llc -march=bpf -mcpu=v1 emits the object
//     (v1: no JMP32, which PQUIC's uBPF refuses);
//  4. when debug sections push the object past PQUIC's 32-section limit they
//     are stripped.
// Constructs the BPF backend refuses (signed division, too many arguments...)
// and compiler errors become `compile` findings with their source line.
import { execFile } from 'node:child_process';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { CompileError } from './errors.ts';
import type { Finding } from './finding.ts';
import { sortFindings } from './finding.ts';
import type { Manifest } from './manifest.ts';
import { plugletEntries } from './manifest.ts';
import { parseElf } from './elf.ts';

export interface CompileOptions {
  /** Extra include directories (absolute). */
  includeDirs?: string[];
  /** Per tool invocation. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Keep DWARF when the section limit allows it (default true). */
  debugInfo?: boolean;
}

export interface CompileResult {
  /** Object path (as in the manifest) -> ELF bytes. */
  objects: Record<string, Uint8Array>;
  findings: Finding[];
  log: string;
}

const MAX_SECTIONS = 32;
const TOOL_NAMES = { clang: ['clang-14', 'clang'], opt: ['opt-14', 'opt'], llc: ['llc-14', 'llc'], objcopy: ['llvm-objcopy-14', 'llvm-objcopy'] } as const;
type Tool = keyof typeof TOOL_NAMES;

interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: string[], opts: CompileOptions, cwd: string): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { cwd, timeout: opts.timeoutMs ?? 60_000, maxBuffer: 16 * 1024 * 1024, ...(opts.signal === undefined ? {} : { signal: opts.signal }) }, (err, stdout, stderr) => {
      if (err !== null && (err as NodeJS.ErrnoException).code === 'ENOENT') return reject(err);
      if (err !== null && err.name === 'AbortError') return reject(new CompileError('compile-aborted', 'compilation was cancelled'));
      if (err !== null && err.killed === true) return reject(new CompileError('compile-timeout', `${cmd} did not finish within ${opts.timeoutMs ?? 60_000} ms`));
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

const toolCache = new Map<Tool, string>();

/** The first available command for a tool; a typed error naming what to install otherwise. */
async function findTool(tool: Tool, opts: CompileOptions): Promise<string> {
  const hit = toolCache.get(tool);
  if (hit !== undefined) return hit;
  for (const name of TOOL_NAMES[tool]) {
    try {
      await run(name, ['--version'], opts, tmpdir());
      toolCache.set(tool, name);
      return name;
    } catch (e) {
      if (e instanceof CompileError) throw e;
    }
  }
  throw new CompileError('compiler-missing', `${TOOL_NAMES[tool].join(' or ')} not found in PATH: install clang-14 and llvm-14 (Debian packages clang-14, llvm-14) to compile plugin sources`);
}

/** Why plugin sources cannot be compiled on this host (a tool is missing), or undefined when they can. */
export async function compilerUnavailableReason(): Promise<string | undefined> {
  try {
    for (const tool of ['clang', 'opt', 'llc'] as const) await findTool(tool, {});
    return undefined;
  } catch (e) {
    if (e instanceof CompileError) return e.message;
    throw e;
  }
}

/** Compiler diagnostics -> findings with source lines. */
export function diagnostics(stderr: string, rel: (file: string) => string): Finding[] {
  const out: Finding[] = [];
  for (const line of stderr.split('\n')) {
    const m = /^(.*?):(\d+):(\d+): (error|warning): (.*)$/.exec(line);
    if (m !== null) {
      const [, file = '', ln = '0', , sev, message = ''] = m;
      const known = file !== '<unknown>' && Number(ln) > 0;
      const f: Finding = { check: 'compile', severity: sev === 'error' ? 'error' : 'warning', message: backendExplanation(message) };
      if (known) f.source = { file: rel(file), line: Number(ln) };
      out.push(f);
      continue;
    }
    // The BPF backend's own refusals, e.g. "Error at line 9: Unsupport signed division for DAG: ..., /x/f.c:9:31Please convert...".
    const sdiv = /Error(?: at line \d+)?: (Unsupport\w* signed division)(?:.*?, (\S+?):(\d+):\d+)?/.exec(line);
    if (sdiv !== null) {
      const f: Finding = { check: 'compile', severity: 'error', message: backendExplanation(sdiv[1] ?? '') };
      if (sdiv[2] !== undefined) f.source = { file: rel(sdiv[2]), line: Number(sdiv[3]) };
      out.push(f);
      continue;
    }
    const e = /^(?:llc(?:-14)?: )?error: (.*)$/.exec(line) ?? /^LLVM ERROR: (.*)$/.exec(line);
    // "Cannot select" follows a refusal already reported above.
    if (e !== null && !(/^Cannot select/.test(e[1] ?? '') && out.length > 0)) out.push({ check: 'compile', severity: 'error', message: backendExplanation(e[1] ?? '') });
  }
  return out;
}

function backendExplanation(message: string): string {
  if (/Unsupport(ed)? signed division|Cannot select: .* = s(div|rem) /.test(message)) return 'signed division or remainder: the BPF instruction set has none, use unsigned operands';
  if (/BPF stack limit/.test(message)) return `${message} — LLVM 14's BPF backend limits frames to 512 bytes: put large buffers on the plugin heap (my_malloc)`;
  if (/too many arg/i.test(message)) return `${message} — BPF calls pass at most five arguments`;
  if (/aggregate returns/i.test(message)) return `${message} — return structures through a pointer`;
  return message;
}

/** Rewrites the IR so only `entry` stays external and nothing else can stay a call. */
export function prepareIr(ir: string, entry: string | undefined): { ir: string; entry: string | undefined; external: string[] } {
  const external: string[] = [];
  const defineRe = /^define\s+(?!internal\b|private\b)(?:[a-z_]+\s+)*?[^@\n]*@("?[^\s("]+"?)\(/gm;
  for (const m of ir.matchAll(defineRe)) external.push((m[1] ?? '').replace(/"/g, ''));
  const chosen = entry ?? (external.length === 1 ? external[0] : undefined);
  const lines = ir.split('\n').map((line) => {
    if (/^@[^\s]+ = private unnamed_addr constant /.test(line)) return line.replace(' = private unnamed_addr constant ', ' = internal constant ');
    if (/^@[^\s]+ = private constant /.test(line)) return line.replace(' = private constant ', ' = internal constant ');
    if (line.startsWith('define ')) {
      const name = /@("?[^\s("]+"?)\(/.exec(line)?.[1]?.replace(/"/g, '');
      if (name !== undefined && name !== chosen) {
        let l = line.replace(/^define\s+(?:dso_local\s+|internal\s+|private\s+|linkonce_odr\s+|weak\s+)*/, 'define internal ');
        l = l.replace(/\)\s*(local_unnamed_addr\s+|unnamed_addr\s+)?(#\d+)?/, (_m, ua: string | undefined, grp: string | undefined) => `) ${ua ?? ''}alwaysinline ${grp ?? ''}`);
        return l;
      }
    }
    if (line.startsWith('attributes #')) return line.replace(/\bnoinline\b/g, '').replace(/\boptnone\b/g, '');
    return line;
  });
  return { ir: lines.join('\n'), entry: chosen, external };
}

/** Compiles one C file (path relative to `root`) into a PQUIC-loadable object. */
export async function compileFile(root: string, source: string, opts: CompileOptions = {}): Promise<{ object?: Uint8Array; findings: Finding[]; log: string }> {
  const [clang, opt, llc] = [await findTool('clang', opts), await findTool('opt', opts), await findTool('llc', opts)];
  const work = await mkdtemp(join(tmpdir(), 'spms-cc-'));
  const log: string[] = [];
  const rel = (f: string): string => (f.startsWith(`${root}/`) ? f.slice(root.length + 1) : f);
  const findings: Finding[] = [];
  const step = async (cmd: string, args: string[]): Promise<boolean> => {
    log.push(`$ ${cmd} ${args.join(' ')}`);
    const r = await run(cmd, args, opts, root);
    if (r.stderr !== '') log.push(r.stderr.trimEnd());
    findings.push(...diagnostics(r.stderr, rel).map((f) => ({ ...f, pluglet: source })));
    if (r.code !== 0 && !findings.some((f) => f.severity === 'error')) findings.push({ check: 'compile', severity: 'error', pluglet: source, message: `${cmd} failed with exit code ${r.code}` });
    return r.code === 0;
  };
  try {
    const ll = join(work, 'a.ll');
    const incs = [dirname(join(root, source)), root, ...(opts.includeDirs ?? [])].flatMap((d) => ['-I', d]);
    const debug = opts.debugInfo !== false;
    if (
      !(await step(clang, [
        '-O2',
        ...(debug ? ['-g'] : []),
        `-fdebug-prefix-map=${root}=.`,
        '-fno-stack-protector',
        '-fno-asynchronous-unwind-tables',
        '-Wall',
        '-Wno-unused-function',
        '-Xclang',
        '-disable-llvm-passes',
        ...incs,
        '-S',
        '-emit-llvm',
        '-c',
        source,
        '-o',
        ll,
      ]))
    )
      return { findings, log: log.join('\n') };
    const prepared = prepareIr(await readFile(ll, 'utf8'), undefined);
    if (prepared.entry === undefined) {
      findings.push({
        check: 'compile',
        severity: 'error',
        pluglet: source,
        message:
          prepared.external.length === 0
            ? 'the file defines no external function to serve as the pluglet entry point'
            : `the file defines ${prepared.external.length} external functions (${prepared.external.join(', ')}); a pluglet has exactly one entry point — make the others static`,
      });
      return { findings, log: log.join('\n') };
    }
    const ll2 = join(work, 'b.ll');
    const ll3 = join(work, 'c.ll');
    const obj = join(work, 'a.o');
    await writeFile(ll2, prepared.ir);
    // No run-time unrolling, vectorisation or interleaving: BPF has no vectors, and the remainder
    // loops these create need relational facts to bound.
    if (!(await step(opt, ['-O2', '-unroll-runtime=false', '-vectorize-loops=false', '-interleave-loops=false', '-vectorize-slp=false', '-S', ll2, '-o', ll3])))
      return { findings, log: log.join('\n') };
    if (!(await step(llc, ['-march=bpf', '-mcpu=v1', '-filetype=obj', '-data-sections', ll3, '-o', obj]))) return { findings, log: log.join('\n') };
    let bytes: Uint8Array = await readFile(obj);
    if (parseElf(bytes).header.shnum > MAX_SECTIONS) {
      const objcopy = await findTool('objcopy', opts);
      const stripped = join(work, 'stripped.o');
      if (!(await step(objcopy, ['--strip-debug', '--remove-section=.BTF', '--remove-section=.BTF.ext', '--remove-section=.rel.BTF.ext', obj, stripped]))) return { findings, log: log.join('\n') };
      bytes = await readFile(stripped);
      findings.push({ check: 'compile', severity: 'info', pluglet: source, message: `debug sections removed to stay within PQUIC's ${MAX_SECTIONS}-section limit (findings carry no source lines)` });
    }
    return { object: new Uint8Array(bytes), findings, log: log.join('\n') };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/**
 * Compiles the C source of every pluglet of a plugin held in `dir` (the
 * manifest's `x.o` comes from `x.c`). Objects without a source are left to the
 * caller (the binding uses the submitted object).
 */
export async function compilePlugin(dir: string, manifest: Manifest, opts: CompileOptions = {}): Promise<CompileResult> {
  const objects: Record<string, Uint8Array> = {};
  const findings: Finding[] = [];
  const log: string[] = [];
  const seen = new Set<string>();
  for (const e of plugletEntries(manifest)) {
    if (seen.has(e.path)) continue;
    seen.add(e.path);
    const source = `${e.path.slice(0, -2)}.c`;
    let exists = true;
    try {
      await readFile(join(dir, source));
    } catch {
      exists = false;
    }
    if (!exists) continue;
    const r = await compileFile(dir, source, opts);
    log.push(r.log);
    findings.push(...r.findings);
    if (r.object !== undefined) objects[e.path] = r.object;
  }
  return { objects, findings: sortFindings(findings), log: log.join('\n') };
}

/** Writes files (relative paths) under a fresh temporary directory; returns it. */
export async function materialise(files: { path: string; data: Uint8Array }[]): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'spms-src-'));
  for (const f of files) {
    if (f.path.startsWith('/') || f.path.split('/').some((p) => p === '..' || p === '')) throw new CompileError('compile-path', `refusing file path "${f.path}"`);
    await mkdir(dirname(join(dir, f.path)), { recursive: true });
    await writeFile(join(dir, f.path), f.data);
  }
  return dir;
}

/**
 * Compiles a plugin given as files (the binding generator's view): writes them
 * to a private temporary directory, compiles, and removes the directory.
 */
export async function compileFiles(files: { path: string; data: Uint8Array }[], manifest: Manifest, opts: CompileOptions = {}): Promise<CompileResult> {
  const dir = await materialise(files);
  try {
    return await compilePlugin(dir, manifest, opts);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
