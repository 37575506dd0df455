// Side-effect specifications of protocol operations (data/hl_specs, or a
// directory the policy names): inputs and outputs in order, and per input (or
// "cnx", the connection) the fields a pluglet anchored there may write. Spec
// files are validated; a broken one is a precise error, never half-loaded.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { VerifierError } from './errors.ts';
import { normaliseField } from './api.ts';

export interface Spec {
  name: string;
  inputs: { name: string; type: string; pointer: boolean }[];
  outputs: { name: string; type: string }[];
  /** Object name ("cnx" or an input name) -> normalised writable fields ("*" = raw memory). */
  effects: Map<string, Set<string>>;
}

const typeSchema = z.array(z.string()).min(1).max(3);
const specSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a protocol operation name'),
  inputs: z.record(z.string(), typeSchema).optional(),
  outputs: z.record(z.string(), typeSchema).optional(),
  effects: z.record(z.string(), z.array(z.string())).optional(),
});

export const defaultSpecDir = fileURLToPath(new URL('./data/hl_specs/', import.meta.url));

export function parseSpec(text: string, origin: string): Spec {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new VerifierError('spec-json', `${origin}: not JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  const r = specSchema.safeParse(json);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new VerifierError('spec-invalid', `${origin}: ${issue === undefined ? 'invalid' : `${issue.path.join('.') || '(root)'}: ${issue.message}`}`);
  }
  const s = r.data;
  const inputs = Object.entries(s.inputs ?? {}).map(([name, t]) => ({ name, type: t[0] ?? '', pointer: t.includes('*') }));
  const outputs = Object.entries(s.outputs ?? {}).map(([name, t]) => ({ name, type: t[0] ?? '' }));
  const effects = new Map<string, Set<string>>();
  for (const [obj, fields] of Object.entries(s.effects ?? {})) {
    if (obj !== 'cnx' && !inputs.some((i) => i.name === obj)) throw new VerifierError('spec-invalid', `${origin}: effects name "${obj}", which is neither "cnx" nor an input`);
    effects.set(obj, new Set(fields.map((f) => (f === '*' ? '*' : normaliseField(f)))));
  }
  return { name: s.name, inputs, outputs, effects };
}

const MAX_SPEC_FILES = 1000;
const cache = new Map<string, Map<string, Spec>>();

/** All specs of a directory, by protocol operation name (cached per directory). */
export function loadSpecs(dir: string = defaultSpecDir): Map<string, Spec> {
  const hit = cache.get(dir);
  if (hit !== undefined) return hit;
  let names: string[];
  try {
    names = readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .sort();
  } catch (e) {
    throw new VerifierError('spec-dir', `cannot read the spec directory ${dir}: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (names.length > MAX_SPEC_FILES) throw new VerifierError('spec-dir', `spec directory ${dir} holds more than ${MAX_SPEC_FILES} files`);
  const specs = new Map<string, Spec>();
  for (const f of names) {
    const spec = parseSpec(readFileSync(join(dir, f), 'utf8'), join(dir, f));
    if (specs.has(spec.name)) throw new VerifierError('spec-duplicate', `${join(dir, f)}: a second spec for "${spec.name}"`);
    specs.set(spec.name, spec);
  }
  cache.set(dir, specs);
  return specs;
}
