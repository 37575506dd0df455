// Shared pieces of the command line: argument parsing with clear usage
// errors, and the exit codes every command documents.
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** Exit codes: 0 success, 1 the checked thing failed (refused, not found, invalid), 2 usage error, 3 unreachable service. */
export const EXIT = { ok: 0, failed: 1, usage: 2, unreachable: 3 } as const;

export class UsageError extends Error {}

export function parse<T extends ParseArgsConfig['options']>(args: string[], options: T, usage: string): { values: Record<string, unknown>; positionals: string[] } {
  try {
    const parsed = parseArgs({ args, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
    const values = parsed.values as Record<string, unknown>;
    const positionals = parsed.positionals;
    if (values.help === true) {
      console.log(usage);
      return { values: { help: true }, positionals };
    }
    return { values, positionals };
  } catch (e) {
    throw new UsageError(`${(e as Error).message}\n\n${usage}`);
  }
}

export function requireString(values: Record<string, unknown>, key: string, usage: string): string {
  const v = values[key];
  if (typeof v !== 'string' || v.length === 0) throw new UsageError(`--${key} is required\n\n${usage}`);
  return v;
}

export function optionalInt(values: Record<string, unknown>, key: string): number | undefined {
  const v = values[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !/^\d+$/.test(v)) throw new UsageError(`--${key} must be a non-negative integer`);
  return Number(v);
}

/** Runs a command body, mapping usage errors to exit 2 with the message on stderr. */
export async function runCommand(name: string, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`spms ${name}: ${e.message}`);
      return EXIT.usage;
    }
    const code = (e as { code?: string }).code;
    console.error(`spms ${name}: ${(e as Error).message}`);
    return code === 'unreachable' ? EXIT.unreachable : EXIT.failed;
  }
}
