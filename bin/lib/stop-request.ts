// When a long-running node should stop: on SIGTERM or SIGINT and, when its
// supervisor sets SPMS_EXIT_WITH_PARENT=1 and gives it a stdin pipe, when
// that stdin ends. The supervisor holds the only write end of the pipe and
// the kernel closes it however the supervisor dies, SIGKILL included, so a
// supervised node never outlives it, and stops by the same path as SIGTERM.

export interface StopRequest {
  /** Resolves with what asked for the stop: a signal's name, or "parent exited". */
  readonly requested: Promise<string>;
  /** Stops listening, so that neither the handlers nor stdin keep the process alive. */
  dispose(): void;
}

export function listenForStopRequest(): StopRequest {
  let resolve!: (why: string) => void;
  const requested = new Promise<string>((r) => (resolve = r));
  const onSignal = (signal: NodeJS.Signals): void => {
    // A second signal then takes its default course: a node stuck while stopping can still be interrupted.
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    resolve(signal);
  };
  const ignore = (): void => undefined;
  const onParentGone = (): void => {
    // The parent also read our stdout and stderr: writing there now fails, and that must not cut the clean stop short.
    process.stdout.on('error', ignore);
    process.stderr.on('error', ignore);
    resolve('parent exited');
  };
  const withParent = process.env.SPMS_EXIT_WITH_PARENT === '1';
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  if (withParent) {
    process.stdin.on('end', onParentGone).on('close', onParentGone).on('error', onParentGone);
    process.stdin.resume();
  }
  return {
    requested,
    dispose() {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      if (withParent) {
        process.stdin.off('end', onParentGone).off('close', onParentGone).off('error', onParentGone);
        process.stdin.destroy();
      }
    },
  };
}
