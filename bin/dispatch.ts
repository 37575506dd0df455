// Sub-command dispatch: each command is one module in bin/commands/ exporting
// `summary` (one line for `spms --help`) and `run(args) => exit code`.
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

export interface Command {
  summary: string;
  run(args: string[]): Promise<number>;
}

const commandsDir = join(dirname(fileURLToPath(import.meta.url)), 'commands');

function commandNames(): string[] {
  return readdirSync(commandsDir)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .map((f) => f.slice(0, -3))
    .sort();
}

async function load(name: string): Promise<Command> {
  return (await import(join(commandsDir, `${name}.ts`))) as Command;
}

async function usage(): Promise<string> {
  const lines = ['usage: spms <command> [options]   (spms <command> --help for details)', '', 'commands:'];
  for (const name of commandNames()) lines.push(`  ${name.padEnd(14)} ${(await load(name)).summary}`);
  return lines.join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(await usage());
    return name === undefined ? 2 : 0;
  }
  if (!commandNames().includes(name)) {
    console.error(`spms: unknown command "${name}"\n\n${await usage()}`);
    return 2;
  }
  try {
    return await (await load(name)).run(rest);
  } catch (e) {
    console.error(`spms ${name}: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
}
