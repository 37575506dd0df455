// spms images build|list|prune — the lab's VM images (base, PR, PV), built
// in this process from vm-images/ into the lab's images directory.
import { join } from 'node:path';
import { ImageBuilder } from '../../daemon/images/image-builder.ts';
import type { ImageRole } from '../../daemon/images/role-image.ts';
import { resolveLabDir } from '../../daemon/lab-dir.ts';
import type { TaskHandle } from '../../daemon/tasks/task-handle.ts';
import { EXIT, parse, runCommand, UsageError } from '../lib/cli.ts';

export const summary = 'build, list and prune the VM images of the lab (base, PR, PV)';

const USAGE = `usage: spms images build [pr|pv|all] [--refresh] [--verbose]
       spms images list [--json]
       spms images prune
common: --dir DIR (the images directory; else <lab dir>/images)
        --lab-dir DIR (else SPMS_LAB_DIR, else ~/.local/share/spms-lab)

build   builds what is missing or out of date: the base image (Debian 12
        with mmdebstrap, ~1.5 min) and the role images (Packer, ~1 min
        each under TCG); an image whose inputs did not change is reused.
        Prints steps and progress; --verbose also the tools' output.
        --refresh rebuilds from Debian's current packages (the recipes name
        packages, not versions, so updates arrive only this way).
        Ctrl-C cancels (the build VM is stopped, nothing half-built stays).
list    the built images: kind, id, size, when built and how long it took
prune   removes the images current inputs would not use, their logs and
        abandoned build directories

exit codes: 0 done, 1 failed, 2 usage`;

function consoleTask(verbose: boolean, signal: AbortSignal): TaskHandle {
  const started = Date.now();
  let shown = -1;
  const elapsed = (): string => `${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s`;
  return {
    id: 'cli',
    signal,
    step: (name) => console.error(`[${elapsed()}] ${name}`),
    progress: (fraction) => {
      const percent = Math.floor(fraction * 100);
      // Whole tens only: a line per tool message would drown the steps.
      if (Math.floor(percent / 10) > Math.floor(shown / 10)) console.error(`[${elapsed()}]   ${percent}%`);
      shown = Math.max(shown, percent);
    },
    log: (line) => {
      if (verbose) console.error(`           ${line}`);
    },
  };
}

const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

export async function run(args: string[]): Promise<number> {
  return runCommand('images', async () => {
    const { values, positionals } = parse(
      args,
      { dir: { type: 'string' }, 'lab-dir': { type: 'string' }, json: { type: 'boolean' }, refresh: { type: 'boolean' }, verbose: { type: 'boolean', short: 'v' } },
      USAGE,
    );
    if (values.help === true) return EXIT.ok;
    const [sub, ...rest] = positionals;
    const dir = typeof values.dir === 'string' && values.dir !== '' ? values.dir : join(resolveLabDir(typeof values['lab-dir'] === 'string' ? values['lab-dir'] : undefined), 'images');
    const builder = new ImageBuilder({ dir });
    if (sub === 'build') {
      const target = rest[0] ?? 'all';
      if (rest.length > 1 || !['pr', 'pv', 'all'].includes(target)) throw new UsageError(`images build takes pr, pv or all\n\n${USAGE}`);
      const roles: ImageRole[] = target === 'all' ? ['pr', 'pv'] : [target as ImageRole];
      if (values.refresh === true) builder.refreshDebian();
      const controller = new AbortController();
      const cancel = (): void => {
        console.error('cancelling…');
        controller.abort();
      };
      process.once('SIGINT', cancel);
      process.once('SIGTERM', cancel);
      try {
        const task = consoleTask(values.verbose === true, controller.signal);
        for (const role of roles) {
          const image = await builder.ensure(role, task);
          console.log(`${role}  ${image.id}  ${mib(image.sizeBytes)}  ${image.disk}`);
        }
      } finally {
        process.off('SIGINT', cancel);
        process.off('SIGTERM', cancel);
      }
      return EXIT.ok;
    }
    if (rest.length > 0) throw new UsageError(`images ${sub ?? ''} takes no argument\n\n${USAGE}`);
    if (sub === 'list') {
      const images = builder.list();
      if (values.json === true) {
        console.log(JSON.stringify({ dir, images }, null, 2));
        return EXIT.ok;
      }
      if (images.length === 0) console.log(`no images in ${dir} (spms images build makes them)`);
      for (const i of images) {
        console.log(
          `${i.kind.padEnd(4)} ${i.id}  ${mib(i.sizeBytes).padStart(9)}  built ${new Date(i.builtMs).toISOString()} in ${(i.buildDurationMs / 1000).toFixed(0)} s${i.baseId === undefined ? '' : `  (base ${i.baseId})`}`,
        );
      }
      return EXIT.ok;
    }
    if (sub === 'prune') {
      const removed = await builder.prune();
      for (const path of removed) console.log(`removed ${path}`);
      if (removed.length === 0) console.log(`nothing to prune in ${dir}`);
      return EXIT.ok;
    }
    throw new UsageError(`${sub === undefined ? 'a sub-command is required' : `unknown sub-command "${sub}"`}\n\n${USAGE}`);
  });
}
