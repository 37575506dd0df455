// A stand-in daemon for local-provider.test.ts: deploys a topology with the
// local provider, prints the nodes' pids as one JSON line and lives on with
// them. The test kills it with SIGKILL and watches the nodes stop by themselves.
//
//   node --import tsx local-provider.fixture.ts CA_DIR LAB_DIR TOPOLOGY_JSON TOKEN
import { LabCa } from '../../../certs/lab-ca.ts';
import { parseTopology } from '../../state/topology.ts';
import { LocalProvider } from './local-provider.ts';

const [caDir, labDir, topologyJson, eventsToken] = process.argv.slice(2);
if (caDir === undefined || labDir === undefined || topologyJson === undefined || eventsToken === undefined) throw new Error('usage: local-provider.fixture.ts CA_DIR LAB_DIR TOPOLOGY_JSON TOKEN');
const topology = parseTopology(JSON.parse(topologyJson));
const provider = new LocalProvider({ labDir, ca: LabCa.open(caDir), eventsToken, emit: () => undefined });
const task = { id: 'fixture', signal: new AbortController().signal, step: () => undefined, progress: () => undefined, log: () => undefined };
const nodes = await provider.deploy(await provider.plan(topology), topology, task);
console.log(JSON.stringify(nodes.map((n) => n.pid)));
