// Text and attribute values in the XML handed to libvirt: every value is
// escaped, so a path or name can never change the document's structure.
const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** XML 1.0 cannot carry these control characters at all, escaped or not. */
function isForbiddenControl(c: string): boolean {
  const code = c.charCodeAt(0);
  return code < 0x20 && c !== '\t' && c !== '\n' && c !== '\r';
}

export function xmlEscape(value: string | number): string {
  const s = String(value);
  if ([...s].some(isForbiddenControl)) throw new RangeError(`a value for libvirt XML contains a control character: ${JSON.stringify(s)}`);
  return s.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}
