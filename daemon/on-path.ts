// Whether a command can be run on this host: an absolute path that is
// executable, or a name found executable in one of PATH's directories.
import { accessSync, constants } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';

export function onPath(command: string): boolean {
  const candidates = isAbsolute(command) ? [command] : (process.env.PATH ?? '').split(delimiter).map((d) => join(d, command));
  return candidates.some((c) => {
    try {
      accessSync(c, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}
