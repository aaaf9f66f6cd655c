// Colours for the scatter's classes: a categorical palette (Tableau 20, distinguishable on dark
// and light backgrounds), and for predicted classes (possibly 1,000) the most frequent ones get
// colours and the rest share grey.

export const PALETTE = [
  '#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac',
  '#a0cbe8', '#ffbe7d', '#ff9d9a', '#86bcb6', '#8cd17d', '#f1ce63', '#d4a6c8', '#fabfd2', '#d7b5a6', '#79706e',
];
export const OTHER_COLOUR = '#8a8a8a';

export interface Colouring {
  /** per point: index into legend, or -1 for "other" */
  group: Int32Array;
  legend: { label: string; colour: string; count: number }[];
  otherCount: number;
}

/** Groups points by `keyOf` (-1 = none), the most frequent PALETTE.length groups coloured, ties by name. */
export function colourBy(count: number, keyOf: (i: number) => number, nameOf: (key: number) => string): Colouring {
  const counts = new Map<number, number>();
  for (let i = 0; i < count; i++) {
    const k = keyOf(i);
    if (k >= 0) counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  const ranked = [...counts.entries()].sort((a, b) => b[1] - a[1] || nameOf(a[0]).localeCompare(nameOf(b[0])));
  const kept = ranked.slice(0, PALETTE.length);
  // the legend reads alphabetically; colours follow frequency so the big groups get the clearest ones
  const colourOf = new Map(kept.map(([k], i) => [k, PALETTE[i]]));
  const legendKeys = kept.map(([k]) => k).sort((a, b) => nameOf(a).localeCompare(nameOf(b)));
  const at = new Map(legendKeys.map((k, i) => [k, i]));
  const group = new Int32Array(count);
  let otherCount = 0;
  for (let i = 0; i < count; i++) {
    const g = at.get(keyOf(i));
    group[i] = g ?? -1;
    if (g === undefined) otherCount++;
  }
  return { group, legend: legendKeys.map((k) => ({ label: nameOf(k), colour: colourOf.get(k)!, count: counts.get(k)! })), otherCount };
}
