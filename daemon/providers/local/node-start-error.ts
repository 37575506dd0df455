// A node that did not come up: it exited while starting, did not become
// healthy in time, or was stopped first. The message names the node and
// carries its last log lines, which usually say why.
export class NodeStartError extends Error {
  readonly code = 'node-start-failed';
  constructor(
    readonly node: string,
    readonly reason: string,
    readonly lastLines: string[],
  ) {
    super(`${node} ${reason}${lastLines.length === 0 ? ' (it wrote nothing)' : `; its last log lines:\n${lastLines.join('\n')}`}`);
    this.name = 'NodeStartError';
  }
}
