// spms lab up|down|status|logs|open|export-terraform — drive a lab through its daemon.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { LabEvent } from '../../daemon/events/lab-event.ts';
import { labPaths, resolveLabDir } from '../../daemon/lab-dir.ts';
import type { LabStatus } from '../../daemon/lab.ts';
import type { Task } from '../../daemon/tasks/task.ts';
import type { DaemonClient } from '../../daemon/daemon-client.ts';
import { LabStore } from '../../daemon/state/lab-state.ts';
import { defaultTfvarsFile, labTerraformExport } from '../../daemon/terraform/lab-terraform.ts';
import type { TerraformExport } from '../../daemon/terraform/terraform-vars.ts';
import { EXIT, optionalInt, parse, runCommand, UsageError } from '../lib/cli.ts';
import { connect, ensureDaemon } from '../lib/lab-daemon.ts';
import { openUrl } from '../lib/open-url.ts';

export const summary = 'bring a lab up or down, show its status and logs (talks to the lab daemon)';

const USAGE = `usage: spms lab up [--port N] [--open]
       spms lab down [--keep-daemon]
       spms lab status [--json]
       spms lab logs [NODE] [--tail N] [--follow]
       spms lab open
       spms lab export-terraform [--out FILE]
common: --lab-dir DIR (else SPMS_LAB_DIR, else ~/.local/share/spms-lab)

up      starts the lab's daemon when none runs, deploys the lab's topology
        (local processes) and waits until every node is healthy
down    tears the nodes down and stops the daemon (unless --keep-daemon)
status  each node's health, URLs, pid and restarts (--json: machine-readable)
logs    a node's last lines (every node without NODE); --follow streams
        the node's events as JSON lines until interrupted
open    prints a one-time login link to the panel (and opens it when a
        display is available)
export-terraform
        writes the lab as terraform.tfvars.json for terraform/ (default
        <lab dir>/terraform/terraform.tfvars.json); from the running daemon,
        else from the lab's state file

exit codes: 0 done (status: lab deployed and healthy), 1 failed or not healthy, 2 usage, 3 no daemon running`;

function printTaskEvent(e: LabEvent): void {
  if (e.type === 'task-step') console.error(`  ${String(e.payload.step)}…`);
  else if (e.type === 'task-log') console.error(`    ${String(e.payload.line)}`);
}

async function deploy(client: DaemonClient): Promise<Task> {
  const { task } = await client.post<{ task: Task }>('/api/lab/deploy');
  console.error(`deploying (task ${task.id})`);
  return client.waitForTask(task.id, printTaskEvent);
}

function printStatus(s: LabStatus): void {
  console.log(`lab: ${s.deployment.status} (${s.deployment.provider})${s.deployment.error === undefined ? '' : ` — ${s.deployment.error}`}`);
  for (const n of s.nodes) {
    console.log(
      `  ${n.id.padEnd(6)} ${n.role.padEnd(3)} ${n.health.padEnd(10)} ${n.url}${n.mqttUrl === undefined ? '' : `  ${n.mqttUrl}`}  pid ${n.pid ?? '-'}  restarts ${n.restarts}${n.detail === undefined ? '' : `  (${n.detail})`}`,
    );
  }
  for (const sk of s.deployment.skipped) console.log(`  skipped ${sk.pvId}/${sk.verifierId}: ${sk.reason}`);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const healthy = (s: LabStatus): boolean => s.deployment.status === 'deployed' && s.nodes.length > 0 && s.nodes.every((n) => n.health === 'healthy');

export async function run(args: string[]): Promise<number> {
  return runCommand('lab', async () => {
    const { values, positionals } = parse(
      args,
      {
        'lab-dir': { type: 'string' },
        port: { type: 'string' },
        open: { type: 'boolean' },
        'keep-daemon': { type: 'boolean' },
        json: { type: 'boolean' },
        tail: { type: 'string' },
        follow: { type: 'boolean' },
        out: { type: 'string' },
      },
      USAGE,
    );
    if (values.help === true) return EXIT.ok;
    const [sub, ...rest] = positionals;
    const labDir = resolveLabDir(typeof values['lab-dir'] === 'string' ? values['lab-dir'] : undefined);
    if (sub === 'up') {
      if (rest.length > 0) throw new UsageError(`lab up takes no argument\n\n${USAGE}`);
      const port = optionalInt(values, 'port');
      const { client, info, started } = await ensureDaemon(labDir, port);
      if (started) console.error(`daemon started at ${info.url} (lab ${labDir})`);
      let status = await client.get<LabStatus>('/api/lab/status');
      if (status.task?.kind === 'deploy') await client.waitForTask(status.task.id, printTaskEvent);
      else if (!healthy(status)) {
        const task = await deploy(client);
        if (task.status !== 'succeeded') {
          console.error(`spms lab up: deploy ${task.status} at step "${task.error?.step ?? '?'}": ${task.error?.message ?? ''}`);
          return EXIT.failed;
        }
      }
      status = await client.get<LabStatus>('/api/lab/status');
      printStatus(status);
      const { path } = await client.post<{ path: string }>('/api/login-url');
      console.log(`panel: ${info.url}${path}`);
      if (values.open === true) openUrl(`${info.url}${path}`);
      return healthy(status) ? EXIT.ok : EXIT.failed;
    }
    const c = await connect(labDir);
    if (sub === 'export-terraform') {
      if (rest.length > 0) throw new UsageError(`lab export-terraform takes no argument\n\n${USAGE}`);
      const out = typeof values.out === 'string' ? resolve(values.out) : defaultTfvarsFile(labDir);
      let exported: TerraformExport;
      if (c !== undefined) exported = await c.client.get<TerraformExport>('/api/lab/terraform');
      else {
        const stateFile = labPaths(labDir).state;
        if (!existsSync(stateFile)) {
          console.error(`spms lab export-terraform: no lab in ${labDir} (no lab.json): create it with "spms lab up" or choose it with --lab-dir`);
          return EXIT.failed;
        }
        exported = labTerraformExport(labDir, (await LabStore.open(stateFile)).state);
      }
      mkdirSync(dirname(out), { recursive: true, mode: 0o700 });
      writeFileSync(out, `${JSON.stringify(exported.tfvars, null, 2)}\n`);
      for (const note of exported.notes) console.error(`note: ${note}`);
      const hosts = Object.keys(exported.tfvars.hosts).length;
      console.log(`wrote ${out}: ${Object.keys(exported.tfvars.nodes).length} nodes on ${hosts} host${hosts === 1 ? '' : 's'}`);
      console.log(`apply: terraform -chdir=${join(import.meta.dirname, '..', '..', 'terraform')} apply -var-file=${out}`);
      return EXIT.ok;
    }
    if (sub === 'status') {
      if (c === undefined) {
        if (values.json === true) console.log(JSON.stringify({ labDir, daemon: null, nodes: [] }));
        else console.log(`no daemon runs for ${labDir}`);
        return EXIT.unreachable;
      }
      const status = await c.client.get<LabStatus>('/api/lab/status');
      if (values.json === true) console.log(JSON.stringify({ labDir, daemon: c.info, ...status }, null, 2));
      else printStatus(status);
      return healthy(status) ? EXIT.ok : EXIT.failed;
    }
    if (sub === 'down') {
      if (c === undefined) {
        console.log(`no daemon runs for ${labDir}: nothing to tear down`);
        return EXIT.ok;
      }
      const { task } = await c.client.post<{ task: Task }>('/api/lab/teardown');
      const done = await c.client.waitForTask(task.id, printTaskEvent);
      if (done.status !== 'succeeded') {
        console.error(`spms lab down: teardown ${done.status}: ${done.error?.message ?? ''}`);
        return EXIT.failed;
      }
      if (values['keep-daemon'] !== true) {
        process.kill(c.info.pid, 'SIGTERM');
        // The daemon is another process tree: wait for it to be gone.
        const deadline = Date.now() + 30_000;
        while (processAlive(c.info.pid)) {
          if (Date.now() > deadline) {
            console.error(`spms lab down: the daemon (pid ${c.info.pid}) did not stop within 30 s`);
            return EXIT.failed;
          }
          await new Promise((r) => setTimeout(r, 100));
        }
      }
      console.log(`lab down${values['keep-daemon'] === true ? ' (daemon kept)' : ''}`);
      return EXIT.ok;
    }
    if (c === undefined) {
      console.error(`spms lab: no daemon runs for ${labDir} (start one with "spms lab up")`);
      return EXIT.unreachable;
    }
    if (sub === 'logs') {
      const tail = optionalInt(values, 'tail') ?? 100;
      const status = await c.client.get<LabStatus>('/api/lab/status');
      const nodes = rest.length > 0 ? rest : status.nodes.map((n) => n.id);
      for (const node of nodes) {
        const { lines } = await c.client.get<{ lines: string[] }>(`/api/nodes/${encodeURIComponent(node)}/logs?tail=${tail}`);
        for (const l of lines) console.log(nodes.length > 1 ? `${node.padEnd(6)} ${l}` : l);
      }
      if (values.follow === true) {
        const wanted = new Set(nodes);
        const stream = c.client.events(0, (e) => {
          if (wanted.has(e.node)) console.log(JSON.stringify(e));
        });
        await stream.ready;
        await new Promise<void>((resolve) => process.once('SIGINT', resolve));
        stream.close();
      }
      return EXIT.ok;
    }
    if (sub === 'open') {
      const { path } = await c.client.post<{ path: string }>('/api/login-url');
      console.log(`${c.info.url}${path}`);
      openUrl(`${c.info.url}${path}`);
      return EXIT.ok;
    }
    throw new UsageError(`unknown or missing sub-command${sub === undefined ? '' : ` "${sub}"`}\n\n${USAGE}`);
  });
}
