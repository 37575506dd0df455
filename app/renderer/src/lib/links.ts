// Links between views in the router's hash format (#/view?key=value), so
// cross-view jumps are ordinary links: focusable, middle-clickable, shareable.
import type { View } from './router.svelte.ts';

export function viewHref(view: View, params: Record<string, string | number | undefined> = {}): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  return `#/${view}${q.size > 0 ? `?${q.toString()}` : ''}`;
}
