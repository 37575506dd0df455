// The PV's configuration file (JSON or YAML), validated at start with
// messages that name the exact field at fault.
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { validatePolicy, type Policy } from '../core/index.ts';

const verifierSchema = z.object({
  id: z.string().regex(/^[A-Za-z_][A-Za-z0-9_.-]*$/, 'must be an identifier'),
  kind: z.string().min(1),
  property: z.string().regex(/^[A-Za-z_][A-Za-z0-9_.-]*$/, 'must be an identifier usable in the formula'),
  options: z.record(z.string(), z.unknown()).default({}),
  timeoutMs: z.number().int().min(100).max(3_600_000).default(60_000),
  memoryMb: z.number().int().min(32).max(16_384).default(512),
  retries: z.number().int().min(0).max(10).default(1),
});

export const pvConfigSchema = z.object({
  id: z
    .string()
    .min(1)
    .max(255)
    .regex(/^[A-Za-z_][A-Za-z0-9_.-]*$/, 'must be an identifier (letters, digits, _ . -)'),
  dataDir: z.string().min(1),
  listen: z.object({
    host: z.string().default('127.0.0.1'),
    port: z.number().int().min(0).max(65535),
    /** The gateway's address as peers see it (e.g. behind a port forward); defaults to https://host:port. */
    publicUrl: z.url().optional(),
  }),
  /** How often the PR is polled for announcements, besides MQTT. */
  pollMs: z.number().int().min(100).default(5000),
  tls: z.object({ cert: z.string(), key: z.string(), ca: z.string(), crl: z.string().optional() }),
  pr: z.object({
    url: z.url(),
    /** External or embedded broker; defaults to the PR's announced broker URL. */
    mqttUrl: z
      .string()
      .regex(/^mqtts?:\/\//, 'must be an mqtt:// or mqtts:// URL')
      .optional(),
  }),
  strKey: z.string().default('str-ed25519.key'),
  epochLengthMs: z.number().int().min(100),
  verifiers: z.array(verifierSchema).min(1),
  formula: z.string().min(1),
  topics: z.array(z.string().min(1)).default(['spms/v1/plugins/all']),
  /** Bearer token for the event stream; the daemon sets it. */
  eventsToken: z.string().min(16).optional(),
  /** PR retry backoff bounds. */
  retry: z.object({ minMs: z.number().int().min(10).default(200), maxMs: z.number().int().min(100).default(10_000) }).default({ minMs: 200, maxMs: 10_000 }),
});

export type PvConfig = z.infer<typeof pvConfigSchema>;
export type VerifierConfig = z.infer<typeof verifierSchema>;

export class ConfigError extends Error {
  readonly code = 'config-invalid';
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.length > 0 ? i.path.join('.') : '(root)'}: ${i.message}`).join('; ');
}

/** Parses and validates a config object; relative paths are taken relative to `baseDir`. */
export function parsePvConfig(raw: unknown, baseDir: string): PvConfig {
  const parsed = pvConfigSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(`invalid PV configuration: ${describeIssues(parsed.error)}`);
  const c = parsed.data;
  const abs = (p: string): string => (isAbsolute(p) ? p : resolve(baseDir, p));
  try {
    validatePolicy(policyOf(c));
  } catch (e) {
    throw new ConfigError(`invalid PV configuration: ${(e as Error).message}`);
  }
  return {
    ...c,
    dataDir: abs(c.dataDir),
    strKey: abs(isAbsolute(c.strKey) ? c.strKey : resolve(abs(c.dataDir), c.strKey)),
    tls: { cert: abs(c.tls.cert), key: abs(c.tls.key), ca: abs(c.tls.ca), ...(c.tls.crl === undefined ? {} : { crl: abs(c.tls.crl) }) },
  };
}

export function loadPvConfig(file: string): PvConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(`cannot read configuration ${file}: ${(e as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = /\.ya?ml$/i.test(file) ? parseYaml(text) : JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`configuration ${file} is not valid ${/\.ya?ml$/i.test(file) ? 'YAML' : 'JSON'}: ${(e as Error).message}`);
  }
  return parsePvConfig(raw, dirname(resolve(file)));
}

export function policyOf(c: Pick<PvConfig, 'epochLengthMs' | 'verifiers' | 'formula'>): Policy {
  return { epochLengthMs: c.epochLengthMs, verifiers: c.verifiers.map((v) => ({ id: v.id, kind: v.kind, property: v.property })), formula: c.formula };
}
