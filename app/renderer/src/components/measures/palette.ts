// Series colours of the panel's charts: distinct in both themes, the first
// (ours) the strongest.
export const PALETTE = ['#3b6fd8', '#e0702b', '#2f9e5a', '#a34fc2', '#d14b73', '#1f9bb0', '#8a8f2a', '#7a6a58'];

export function colorOf(index: number): string {
  return PALETTE[index % PALETTE.length] as string;
}
