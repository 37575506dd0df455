// The service bundle's entry (/opt/spms/app/spms.mjs in the role images): the
// `spms pr` and `spms pv` commands, imported statically so that esbuild can
// follow them (the host's `spms` finds its commands at run time instead).
// Takes the same arguments as `spms` on the host.
import * as pr from '../../bin/commands/pr.ts';
import * as pv from '../../bin/commands/pv.ts';

const commands: Record<string, { summary: string; run(args: string[]): Promise<number> }> = { pr, pv };

const usage = [
  'usage: spms.mjs <command> [options]   (spms.mjs <command> --help for details)',
  '',
  'commands:',
  ...Object.entries(commands).map(([name, c]) => `  ${name.padEnd(6)} ${c.summary}`),
].join('\n');

const [name, ...rest] = process.argv.slice(2);
const command = name === undefined ? undefined : commands[name];
if (name === '--help' || name === '-h') {
  console.log(usage);
} else if (command === undefined) {
  console.error(name === undefined ? usage : `spms: unknown command "${name}"\n\n${usage}`);
  process.exitCode = 2;
} else {
  process.exitCode = await command.run(rest);
}
