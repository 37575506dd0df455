// Any failure a view shows, reduced to the daemon's code and message
// (docs/daemon.md, Errors) so every error state reads the same way.
import { ApiError } from './api.ts';

export interface Failure {
  code: string;
  message: string;
  /** HTTP status when the daemon answered (0 when it could not be reached). */
  status?: number;
}

export function failureOf(e: unknown): Failure {
  if (e instanceof ApiError) return { code: e.code, message: e.message, status: e.status };
  if (e instanceof Error) {
    const code = (e as { code?: unknown }).code;
    return { code: typeof code === 'string' ? code : e.name, message: e.message };
  }
  return { code: 'error', message: String(e) };
}
