// The external-command verifier: runs a tool a lab installed over the
// plugin's files, with the plugin directory mounted read-only, no network,
// a timeout and a memory cap, inside bubblewrap when it is available.
// Success is the expected exit code, optionally with a required pattern.
import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, isAbsolute, join } from 'node:path';
import { externalOptionsSchema, type ExternalOptions } from './options.ts';
import { PRESETS } from './presets.ts';

export interface ExternalInput {
  name: string;
  manifest: Uint8Array;
  pluglets: Record<string, Uint8Array>;
  sources: { path: string; data: Uint8Array }[];
}

export interface ExternalFinding {
  check: string;
  severity: 'error' | 'warning' | 'info';
  message: string;
}

export interface ExternalResult {
  verdict: 'pass' | 'fail' | 'error';
  property: string;
  findings: ExternalFinding[];
  log: string;
  durationMs: number;
}

const OUTPUT_LIMIT = 256 * 1024;

export class ExternalOptionsError extends Error {
  readonly code = 'verifier-options';
}

/** Options from a verifier config: either a preset name (with overrides) or a full template. */
export function resolveExternalOptions(raw: Record<string, unknown>): ExternalOptions {
  const { preset, ...rest } = raw;
  let base: Record<string, unknown> = {};
  if (preset !== undefined) {
    if (typeof preset !== 'string' || PRESETS[preset] === undefined) {
      throw new ExternalOptionsError(`unknown preset ${JSON.stringify(preset)}; known presets: ${Object.keys(PRESETS).join(', ')}`);
    }
    base = { ...PRESETS[preset] };
  }
  const parsed = externalOptionsSchema.safeParse({ ...base, ...rest });
  if (!parsed.success) throw new ExternalOptionsError(`external verifier options: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  for (const re of [parsed.data.success.pattern, parsed.data.success.failPattern]) {
    if (re === undefined) continue;
    try {
      new RegExp(re, 'm');
    } catch (e) {
      throw new ExternalOptionsError(`invalid pattern ${JSON.stringify(re)}: ${(e as Error).message}`);
    }
  }
  return parsed.data;
}

function findTool(tool: string): string | undefined {
  const candidates = isAbsolute(tool) ? [tool] : (process.env.PATH ?? '').split(delimiter).map((d) => join(d, tool));
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
      return c;
    } catch {
      // not here
    }
  }
  return undefined;
}

let bwrapUsable: boolean | undefined;
function canUseBwrap(): boolean {
  if (bwrapUsable === undefined) {
    bwrapUsable = findTool('bwrap') !== undefined && spawnSync('bwrap', ['--ro-bind', '/', '/', '--dev', '/dev', '--unshare-all', '--die-with-parent', 'true'], { timeout: 5000 }).status === 0;
  }
  return bwrapUsable;
}

interface RunOutcome {
  code: number | null;
  timedOut: boolean;
  output: string;
}

function runOnce(argv: string[], cwd: string, opts: ExternalOptions, signal?: AbortSignal): Promise<RunOutcome> {
  return new Promise((resolve) => {
    const child = spawn(argv[0] as string, argv.slice(1), { cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const take = (chunk: Buffer): void => {
      if (output.length < OUTPUT_LIMIT) output += chunk.toString('utf8').slice(0, OUTPUT_LIMIT - output.length);
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    let timedOut = false;
    const kill = (): void => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, opts.timeoutMs);
    signal?.addEventListener('abort', kill, { once: true });
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ code: null, timedOut, output: `${output}\n${e.message}` });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', kill);
      resolve({ code, timedOut, output });
    });
  });
}

/** Writes the plugin's files into a fresh directory laid out like the submitted plugin. */
function materialise(input: ExternalInput): { root: string; dir: string } {
  const root = mkdtempSync(join(tmpdir(), 'spms-ext-'));
  const dir = join(root, input.name);
  const write = (rel: string, data: Uint8Array): void => {
    const target = join(dir, rel);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, data);
  };
  mkdirSync(dir, { recursive: true });
  write(`${input.name}.plugin`, input.manifest);
  for (const [file, elf] of Object.entries(input.pluglets)) write(file, elf);
  for (const s of input.sources) write(s.path, s.data);
  return { root, dir };
}

export async function runExternalVerifier(property: string, rawOptions: Record<string, unknown>, input: ExternalInput, signal?: AbortSignal): Promise<ExternalResult> {
  const started = performance.now();
  const done = (verdict: ExternalResult['verdict'], findings: ExternalFinding[], log: string): ExternalResult => ({
    verdict,
    property,
    findings,
    log,
    durationMs: Math.round(performance.now() - started),
  });
  let opts: ExternalOptions;
  try {
    opts = resolveExternalOptions(rawOptions);
  } catch (e) {
    return done('error', [{ check: 'external', severity: 'error', message: (e as Error).message }], '');
  }
  const tool = opts.command[0] as string;
  if (findTool(tool) === undefined) {
    return done('error', [{ check: 'external', severity: 'error', message: `the tool "${tool}" is not installed on this validator` }], '');
  }
  const sandbox = opts.sandbox === 'bwrap' || (opts.sandbox === 'auto' && canUseBwrap());
  if (opts.sandbox === 'bwrap' && !canUseBwrap()) {
    return done('error', [{ check: 'external', severity: 'error', message: 'bubblewrap was required but cannot run here' }], '');
  }
  const { root, dir } = materialise(input);
  // Inside the sandbox the directory keeps its path, re-bound read-only over a private /tmp.
  const base = dir;
  const units = opts.per === 'plugin' ? [undefined] : opts.per === 'source' ? input.sources.map((s) => s.path).filter((p) => /\.(c|h)$/.test(p) && !p.endsWith('.h')) : Object.keys(input.pluglets);
  const findings: ExternalFinding[] = [];
  const logs: string[] = [];
  let verdict: ExternalResult['verdict'] = 'pass';
  try {
    for (const unit of units) {
      const fill = (arg: string): string =>
        arg
          .replaceAll('{dir}', base)
          .replaceAll('{manifest}', `${base}/${input.name}.plugin`)
          .replaceAll('{source}', unit === undefined ? '' : `${base}/${unit}`)
          .replaceAll('{object}', unit === undefined ? '' : `${base}/${unit}`);
      const cmd = opts.command.map(fill);
      const jail = sandbox
        ? ['bwrap', '--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', '--tmpfs', '/tmp', '--ro-bind', dir, dir, '--unshare-all', '--die-with-parent', '--chdir', dir, '--']
        : [];
      const argv = ['prlimit', `--as=${opts.memoryMb * 1024 * 1024}`, '--', ...jail, ...cmd];
      const outcome = await runOnce(argv, dir, opts, signal);
      const label = unit ?? input.name;
      logs.push(`$ ${cmd.join(' ')}\n${outcome.output}`);
      if (signal?.aborted) return done('error', [{ check: 'external', severity: 'error', message: 'cancelled' }], logs.join('\n'));
      if (outcome.timedOut) {
        verdict = 'error';
        findings.push({ check: 'external', severity: 'error', message: `${tool} on ${label} exceeded ${opts.timeoutMs} ms` });
        continue;
      }
      const failMatch = opts.success.failPattern !== undefined && new RegExp(opts.success.failPattern, 'm').test(outcome.output);
      const needMatch = opts.success.pattern === undefined || new RegExp(opts.success.pattern, 'm').test(outcome.output);
      if (outcome.code !== opts.success.exitCode || failMatch || !needMatch) {
        if (verdict === 'pass') verdict = 'fail';
        const why =
          outcome.code !== opts.success.exitCode
            ? `exit code ${String(outcome.code)} (expected ${opts.success.exitCode})`
            : failMatch
              ? 'output matched the failure pattern'
              : 'output lacked the success pattern';
        findings.push({ check: 'external', severity: 'error', message: `${tool} refused ${label}: ${why}` });
      }
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  if (units.length === 0) findings.push({ check: 'external', severity: 'info', message: `no ${opts.per} files to check` });
  return done(verdict, findings, logs.join('\n'));
}
