// The services of the role images (bundled as /opt/spms/app/spms-services.cjs,
// run by spms.mjs, see spms-loader.ts): the `spms pr` and `spms pv` commands,
// imported statically so that esbuild can follow them (the host's `spms`
// finds its commands at run time instead). `main` takes the same arguments
// as `spms` on the host.
import * as pr from '../../bin/commands/pr.ts';
import * as pv from '../../bin/commands/pv.ts';

const commands: Record<string, { summary: string; run(args: string[]): Promise<number> }> = { pr, pv };

const usage = [
  'usage: spms.mjs <command> [options]   (spms.mjs <command> --help for details)',
  '',
  'commands:',
  ...Object.entries(commands).map(([name, c]) => `  ${name.padEnd(6)} ${c.summary}`),
].join('\n');

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const command = name === undefined ? undefined : commands[name];
  if (name === '--help' || name === '-h') {
    console.log(usage);
    return 0;
  }
  if (command === undefined) {
    console.error(name === undefined ? usage : `spms: unknown command "${name}"\n\n${usage}`);
    return 2;
  }
  return command.run(rest);
}
