// Small display helpers shared by the views.
export function shortHex(hex: string | null | undefined, n = 12): string {
  if (hex === null || hex === undefined) return '—';
  return hex.length > n ? `${hex.slice(0, n)}…` : hex;
}

export function time(ms: number | undefined): string {
  if (ms === undefined) return '—';
  return new Date(ms).toLocaleTimeString();
}

export function dateTime(ms: number | undefined): string {
  if (ms === undefined) return '—';
  return new Date(ms).toLocaleString();
}

export function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}
