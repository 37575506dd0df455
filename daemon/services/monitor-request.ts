// The body of POST /api/monitor, validated: the names to check, the binding
// hashes expected for some of them, and the epochs to check, either from an
// epoch (0 by default) or the last N epochs of each PV's chain, in both cases
// up to an epoch or each PV's latest.
import { z } from 'zod';
import { fromHex, validateName } from '../../spms/core/index.ts';
import { ApiError } from '../http/api-error.ts';

export const MAX_NAMES = 100;

/** Which epochs to check on each PV; `to` beyond a PV's latest epoch means its latest. */
export type EpochWindow = { kind: 'from'; from: number; to?: number } | { kind: 'last'; count: number; to?: number };

export interface MonitorRequest {
  names: string[];
  /** Only the names given hashes; the others expect what the lab submitted. */
  expect: Map<string, Uint8Array[]>;
  window: EpochWindow;
}

const epoch = z.number().int().min(0);
const bodySchema = z
  .object({
    names: z.array(z.unknown()).min(1).max(MAX_NAMES),
    expect: z.record(z.string(), z.unknown()).optional(),
    fromEpoch: epoch.optional(),
    toEpoch: epoch.optional(),
    lastEpochs: z.number().int().min(1).optional(),
  })
  .strict();

/** What each field must be, said the same way whatever zod found wrong with it. */
const FIELD_RULES: Record<string, string> = {
  names: `names must be a list of 1 to ${MAX_NAMES} plugin names`,
  expect: 'expect must map names to lists of binding hashes',
  fromEpoch: 'fromEpoch must be a non-negative integer (an epoch number)',
  toEpoch: 'toEpoch must be a non-negative integer (an epoch number)',
  lastEpochs: 'lastEpochs must be a positive integer (a number of epochs)',
};

function name(raw: unknown): string {
  try {
    return validateName(raw);
  } catch (e) {
    throw new ApiError(400, 'bad-name', (e as Error).message);
  }
}

function hashes(n: string, raw: unknown): Uint8Array[] {
  if (!Array.isArray(raw)) throw new ApiError(400, 'bad-parameter', `expect.${n} must be a list of binding hashes`);
  return raw.map((h) => {
    if (typeof h !== 'string' || !/^[0-9a-f]{64}$/.test(h)) throw new ApiError(400, 'bad-parameter', `expect.${n}[] must be 64 lowercase hex digits`);
    return fromHex(h);
  });
}

export function parseMonitorRequest(raw: unknown): MonitorRequest {
  const parsed = bodySchema.safeParse(raw ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const message =
      issue?.code === 'unrecognized_keys'
        ? `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')} (expected ${Object.keys(FIELD_RULES).join(', ')})`
        : (FIELD_RULES[String(issue?.path[0])] ?? 'the body must be a JSON object');
    throw new ApiError(400, 'bad-parameter', message);
  }
  const body = parsed.data;
  const names = body.names.map(name);
  const expect = new Map<string, Uint8Array[]>();
  for (const n of names) {
    const given = body.expect?.[n];
    if (given !== undefined) expect.set(n, hashes(n, given));
  }
  if (body.fromEpoch !== undefined && body.lastEpochs !== undefined) throw new ApiError(400, 'bad-parameter', 'give fromEpoch or lastEpochs, not both');
  if (body.fromEpoch !== undefined && body.toEpoch !== undefined && body.fromEpoch > body.toEpoch) {
    throw new ApiError(400, 'bad-parameter', `fromEpoch (${body.fromEpoch}) is after toEpoch (${body.toEpoch})`);
  }
  const to = body.toEpoch === undefined ? {} : { to: body.toEpoch };
  const window: EpochWindow = body.lastEpochs === undefined ? { kind: 'from', from: body.fromEpoch ?? 0, ...to } : { kind: 'last', count: body.lastEpochs, ...to };
  return { names, expect, window };
}
