// spms pr --config FILE — runs a Plugin Repository node until SIGTERM/SIGINT.
import { loadPrConfig } from '../../spms/pr/config.ts';
import { PrNode } from '../../spms/pr/pr-node.ts';
import { EXIT, parse, requireString, runCommand } from '../lib/cli.ts';
import { listenForStopRequest } from '../lib/stop-request.ts';

export const summary = 'run a Plugin Repository node (HTTPS gateway, MQTT broker, store)';

const USAGE = `usage: spms pr --config FILE

Runs the Plugin Repository described by FILE (JSON or YAML; see
docs/pr-api.md for the fields). Logs one JSON object per line on stdout.
SIGTERM or SIGINT stops it cleanly: no new requests, broker and database
closed. With SPMS_EXIT_WITH_PARENT=1 in its environment, the end of its
standard input (its supervisor gone) stops it the same way.

exit codes: 0 stopped cleanly, 1 invalid configuration or failure to start, 2 usage`;

export async function run(args: string[]): Promise<number> {
  return runCommand('pr', async () => {
    const { values } = parse(args, { config: { type: 'string' } }, USAGE);
    if (values.help === true) return EXIT.ok;
    const config = loadPrConfig(requireString(values, 'config', USAGE));
    // Listening before the node starts: a stop asked for while it starts is honoured once it has.
    const stop = listenForStopRequest();
    try {
      const node = await PrNode.start(config);
      await stop.requested;
      await node.stop();
    } finally {
      stop.dispose();
    }
    return EXIT.ok;
  });
}
