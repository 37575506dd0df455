// The PV's view of the Plugin Repository: announcements in (live and caught
// up after any disconnection), archives fetched, STRs and failure reports out.
import type { SignedStr } from '../core/index.ts';
import type { FailureReport } from './validation.ts';

export interface Announcement {
  /** Unique id of the submission at the PR. */
  id: string;
  /** Position in the PR's announcement log, for catching up. */
  cursor: number;
  name: string;
  archiveHash: string;
  submittedMs: number;
}

export type StrPushResult = { accepted: true } | { accepted: false; reason: string };

export interface PrLink {
  /** Starts delivering announcements after `cursor` (catch-up first, then live). */
  start(cursor: number, onAnnouncement: (a: Announcement) => Promise<void>): Promise<void>;
  fetchArchive(a: Announcement): Promise<Uint8Array>;
  postStr(str: SignedStr): Promise<StrPushResult>;
  postFailure(report: FailureReport): Promise<void>;
  stop(): Promise<void>;
}
