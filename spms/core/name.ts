// Plugin names (DESIGN §3.1): reverse-DNS, at most 255 bytes; the namespace is
// everything before the last dot, and only its owner may publish under it.
import { utf8 } from './bytes.ts';
import { NameError } from './errors.ts';

export const MAX_NAME_BYTES = 255;
const FIRST_LABEL = /^[a-z0-9][a-z0-9-]*$/;
const OTHER_LABEL = /^[a-z0-9_-]+$/;
// The whole grammar at once: the fast path for valid names, which are ASCII so chars = bytes.
const FULL_NAME = /^[a-z0-9][a-z0-9-]*(\.[a-z0-9_-]+)+$/;

/** Throws a NameError saying exactly what is wrong with `name`, or returns it unchanged. */
export function validateName(name: unknown): string {
  if (typeof name !== 'string') throw new NameError('name-type', 'a plugin name must be a string');
  if (name.length === 0) throw new NameError('name-empty', 'a plugin name must not be empty');
  if (name.length <= MAX_NAME_BYTES && FULL_NAME.test(name)) return name;
  const bytes = utf8(name).length;
  if (bytes > MAX_NAME_BYTES) throw new NameError('name-too-long', `plugin name is ${bytes} bytes; at most ${MAX_NAME_BYTES} are allowed`);
  const labels = name.split('.');
  if (labels.length < 2) throw new NameError('name-no-dot', `plugin name "${name}" must be reverse-DNS with at least one dot, e.g. org.example.plugin`);
  labels.forEach((label, i) => {
    const column = labels.slice(0, i).join('.').length + (i > 0 ? 1 : 0);
    if (label.length === 0) throw new NameError('name-empty-label', `plugin name "${name}" has an empty label at column ${column + 1}`);
    const ok = i === 0 ? FIRST_LABEL.test(label) : OTHER_LABEL.test(label);
    if (!ok) {
      const rule = i === 0 ? 'lowercase letters, digits and "-", starting with a letter or digit' : 'lowercase letters, digits, "_" and "-"';
      throw new NameError('name-bad-label', `plugin name "${name}": label "${label}" at column ${column + 1} may only hold ${rule}`);
    }
  });
  // Unreachable for names the labels accept, kept so a grammar change cannot let one through.
  throw new NameError('name-bad-label', `plugin name "${name}" is not valid`);
}

export function isValidName(name: unknown): name is string {
  try {
    validateName(name);
    return true;
  } catch {
    return false;
  }
}

/** The namespace a developer must own to publish `name`. */
export function namespaceOf(name: string): string {
  validateName(name);
  return name.slice(0, name.lastIndexOf('.'));
}

/** Namespaces are owned as a whole: "org.example" covers "org.example.x" and "org.example.sub.y". */
export function namespaceCovers(owned: string, name: string): boolean {
  const ns = namespaceOf(name);
  return ns === owned || ns.startsWith(`${owned}.`);
}
