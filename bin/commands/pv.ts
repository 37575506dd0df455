// spms pv --config FILE
import { readFileSync } from 'node:fs';
import { loadPvConfig } from '../../spms/pv/config.ts';
import { buildBindingFromArchive } from '../../spms/pv/binding-generator.ts';
import { HttpPrLink } from '../../spms/pv/http-pr-link.ts';
import { NodeEvents } from '../../spms/pv/node-events.ts';
import { PvNode } from '../../spms/pv/pv-node.ts';
import { loadOrCreateStrKey } from '../../spms/pv/str-key.ts';
import { toHex } from '../../spms/core/index.ts';
import { EXIT, parse, requireString, runCommand } from '../lib/cli.ts';
import { listenForStopRequest } from '../lib/stop-request.ts';

export const summary = 'run a Plugin Validator node';

const USAGE = `usage: spms pv --config FILE [--init-key]

Runs a Plugin Validator: follows the PR's announcements, builds bindings,
runs its verifiers, publishes one signed tree root per epoch and serves its
user gateway. The configuration (JSON or YAML) is validated at start.
SIGTERM or SIGINT stops it cleanly; a restart resumes its chain and queue.
With SPMS_EXIT_WITH_PARENT=1 in its environment, the end of its standard
input (its supervisor gone) stops it the same way.

--init-key creates the PV's Ed25519 STR key file (strKey in the
configuration) when it is missing, prints the public key as hex and exits:
issue the PV's certificate for that key (spms ca issue pv ID
--str-secret-file FILE) before running the PV.

exit codes: 0 stopped cleanly, 1 failed to start (bad configuration, port in use), 2 usage`;

export async function run(args: string[]): Promise<number> {
  return runCommand('pv', async () => {
    const { values } = parse(args, { config: { type: 'string' }, 'init-key': { type: 'boolean' } }, USAGE);
    if (values.help === true) return EXIT.ok;
    const config = loadPvConfig(requireString(values, 'config', USAGE));
    if (values['init-key'] === true) {
      console.log(toHex(loadOrCreateStrKey(config.strKey).publicKey));
      return EXIT.ok;
    }
    const events = new NodeEvents(config.id);
    // The gateway URL is known once the node listens (port 0 picks a free port).
    const started: { node?: PvNode } = {};
    const tls = { ca: readFileSync(config.tls.ca), cert: readFileSync(config.tls.cert), key: readFileSync(config.tls.key) };
    const prLink = new HttpPrLink({
      prUrl: config.pr.url,
      ...(config.pr.mqttUrl === undefined ? {} : { mqttUrl: config.pr.mqttUrl }),
      tls,
      gatewayUrl: () => config.listen.publicUrl ?? `https://${config.listen.host}:${started.node?.port ?? config.listen.port}`,
      topics: config.topics,
      events,
      pollMs: config.pollMs,
    });
    // Listening before the node starts: a stop asked for while it starts is honoured once it has.
    const stop = listenForStopRequest();
    try {
      const node = await PvNode.start(config, { prLink, buildBinding: buildBindingFromArchive, events });
      started.node = node;
      await stop.requested;
      await node.stop();
    } finally {
      stop.dispose();
    }
    return EXIT.ok;
  });
}
