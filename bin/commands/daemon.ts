// spms daemon [--lab-dir DIR] [--port N] [--deploy] [--open]
import { Daemon } from '../../daemon/daemon.ts';
import { resolveLabDir } from '../../daemon/lab-dir.ts';
import { EXIT, optionalInt, parse, runCommand } from '../lib/cli.ts';
import { openUrl } from '../lib/open-url.ts';

export const summary = 'run the lab daemon (API, live events, CA, local nodes) in the foreground';

const USAGE = `usage: spms daemon [--lab-dir DIR] [--port N] [--deploy] [--open]

Runs the lab daemon for one lab directory (--lab-dir, else SPMS_LAB_DIR,
else ~/.local/share/spms-lab) on 127.0.0.1: creates the lab's root CA on
first start, serves the API and the panel, streams every node's events.
--port N   listen on N (default: the lab's last port, else 7780, else any free port)
--deploy   deploy the lab's topology at start (without it, a lab that was
           deployed when the daemon stopped is deployed again)
--open     open the panel in a browser when a display is available
SIGINT or SIGTERM stops every node, then the daemon.

exit codes: 0 stopped cleanly, 1 failed to start, 2 usage`;

export async function run(args: string[]): Promise<number> {
  return runCommand('daemon', async () => {
    const { values } = parse(args, { 'lab-dir': { type: 'string' }, port: { type: 'string' }, deploy: { type: 'boolean' }, open: { type: 'boolean' } }, USAGE);
    if (values.help === true) return EXIT.ok;
    const labDir = resolveLabDir(typeof values['lab-dir'] === 'string' ? values['lab-dir'] : undefined);
    const port = optionalInt(values, 'port');
    const daemon = await Daemon.start({ labDir, ...(port === undefined ? {} : { port }), deploy: values.deploy === true ? 'always' : 'resume' });
    const login = daemon.loginUrl();
    console.log(JSON.stringify({ level: 'info', msg: 'daemon listening', url: daemon.url, labDir, pid: process.pid }));
    console.log(`SPMS Lab panel: ${login}   (one-time login link; "spms lab open" prints a new one)`);
    if (values.open === true && !openUrl(login)) console.log('no display: open the link above in a browser');
    // Node events go to stdout as JSON lines, so the daemon's log tells the whole story.
    daemon.lab.hub.subscribe((e) => {
      if (e.node === 'daemon' || e.type.startsWith('node-')) console.log(JSON.stringify({ level: e.type === 'error' || e.type === 'node-failed' ? 'error' : 'info', ...e }));
    });
    await new Promise<void>((resolve) => {
      const stop = (): void => {
        process.off('SIGTERM', stop);
        process.off('SIGINT', stop);
        resolve();
      };
      process.on('SIGTERM', stop);
      process.on('SIGINT', stop);
    });
    console.log(JSON.stringify({ level: 'info', msg: 'stopping: tearing the nodes down' }));
    await daemon.close();
    return EXIT.ok;
  });
}
