// Options of the external-command verifier, validated with precise errors.
import { z } from 'zod';

export const externalOptionsSchema = z.object({
  /** argv template; {dir} = plugin directory (read-only), {source} / {object} = one file per run, {manifest} = manifest path. */
  command: z.array(z.string().min(1)).min(1),
  per: z.enum(['plugin', 'source', 'object']).default('plugin'),
  timeoutMs: z.number().int().min(100).max(3_600_000).default(60_000),
  memoryMb: z.number().int().min(16).max(65_536).default(512),
  success: z
    .object({
      exitCode: z.number().int().min(0).max(255).default(0),
      /** Regular expression that must match stdout or stderr (multiline). */
      pattern: z.string().optional(),
      /** Regular expression whose match fails the run whatever the exit code. */
      failPattern: z.string().optional(),
    })
    .default({ exitCode: 0 }),
  sandbox: z.enum(['auto', 'bwrap', 'none']).default('auto'),
});

export type ExternalOptions = z.infer<typeof externalOptionsSchema>;
export type ExternalOptionsInput = z.input<typeof externalOptionsSchema>;
