// The PR's configuration file (JSON or YAML), validated at start with
// messages that name the exact field at fault. Relative paths are taken
// relative to the file.
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

const MiB = 1024 * 1024;

const mqttSchema = z.discriminatedUnion('mode', [
  z.object({
    /** aedes inside the PR process, TLS with client certificates. */
    mode: z.literal('embedded'),
    host: z.string().min(1).default('127.0.0.1'),
    port: z.number().int().min(0).max(65535),
  }),
  z.object({
    /** An external broker (Mosquitto, EMQX, ...) the PR publishes to with its own certificate. */
    mode: z.literal('external'),
    url: z.string().regex(/^mqtts?:\/\/[^\s]+$/, 'must be an mqtt:// or mqtts:// URL'),
  }),
]);

export const prConfigSchema = z
  .object({
    id: z
      .string()
      .regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/, 'must be an identifier (letters, digits, _ . -)')
      .default('pr'),
    dataDir: z.string().min(1),
    listen: z.object({ host: z.string().min(1).default('127.0.0.1'), port: z.number().int().min(0).max(65535) }).strict(),
    tls: z.object({ cert: z.string().min(1), key: z.string().min(1), ca: z.string().min(1), crl: z.string().min(1).optional() }).strict(),
    mqtt: mqttSchema.default({ mode: 'embedded', host: '127.0.0.1', port: 8883 }),
    /** Bearer token that also opens the event stream (the lab daemon holds it). */
    eventsToken: z.string().min(16).optional(),
    limits: z
      .object({
        packedBytes: z
          .number()
          .int()
          .min(1024)
          .max(1024 * MiB)
          .default(16 * MiB),
        unpackedBytes: z
          .number()
          .int()
          .min(1024)
          .max(4096 * MiB)
          .default(64 * MiB),
        entries: z.number().int().min(1).max(100_000).default(1024),
        jsonBytes: z
          .number()
          .int()
          .min(1024)
          .max(64 * MiB)
          .default(1 * MiB),
      })
      .strict()
      .default({ packedBytes: 16 * MiB, unpackedBytes: 64 * MiB, entries: 1024, jsonBytes: 1 * MiB }),
  })
  .strict();

export type PrConfig = z.infer<typeof prConfigSchema>;

export class PrConfigError extends Error {
  readonly code = 'config-invalid';
  constructor(message: string) {
    super(message);
    this.name = 'PrConfigError';
  }
}

function describe(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.length > 0 ? i.path.join('.') : '(root)'}: ${i.message}`).join('; ');
}

export function parsePrConfig(raw: unknown, baseDir: string): PrConfig {
  const parsed = prConfigSchema.safeParse(raw);
  if (!parsed.success) throw new PrConfigError(`invalid PR configuration: ${describe(parsed.error)}`);
  const c = parsed.data;
  const abs = (p: string): string => (isAbsolute(p) ? p : resolve(baseDir, p));
  return {
    ...c,
    dataDir: abs(c.dataDir),
    tls: { cert: abs(c.tls.cert), key: abs(c.tls.key), ca: abs(c.tls.ca), ...(c.tls.crl === undefined ? {} : { crl: abs(c.tls.crl) }) },
  };
}

export function loadPrConfig(file: string): PrConfig {
  const yaml = /\.ya?ml$/i.test(file);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new PrConfigError(`cannot read configuration ${file}: ${(e as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = yaml ? parseYaml(text) : JSON.parse(text);
  } catch (e) {
    throw new PrConfigError(`configuration ${file} is not valid ${yaml ? 'YAML' : 'JSON'}: ${(e as Error).message}`);
  }
  return parsePrConfig(raw, dirname(resolve(file)));
}
