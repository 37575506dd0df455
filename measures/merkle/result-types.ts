// The shape of measures/results/merkle.json, per N.
import type { PeerResult } from './peer-result.ts';
import type { OursResult } from './run-ours.ts';

export type SizeResult = OursResult & { peers: Record<string, PeerResult> };

export interface TargetCheck {
  target: string;
  /** null when the run did not measure what the target needs (e.g. 1M not in the sizes). */
  pass: boolean | null;
  figures: string;
}
