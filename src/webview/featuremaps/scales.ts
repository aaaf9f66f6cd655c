// Pure numbers behind the maps' pictures, apart from the DOM so they can be tested: the ticks of a
// colour legend, and how a grid of maps fills a panel's width.

export interface Tick {
  value: number;
  /** 0..1 along the legend (0: the range's low end) */
  at: number;
  label: string;
}

/** A tick step of 1, 2 or 5 × 10^k giving about `count` intervals over `span`. */
function niceStep(span: number, count: number): number {
  const raw = span / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const f = raw / mag;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
}

export function tickLabel(v: number, step: number): string {
  if (v === 0) return '0';
  const digits = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  const a = Math.abs(v);
  return a >= 1e4 || a < 1e-4 ? v.toExponential(1) : v.toFixed(Math.min(6, digits));
}

/** An end of the range as measured, to 3 significant digits (not rounded to the tick step). */
export function endLabel(v: number): string {
  const a = Math.abs(v);
  if (v === 0) return '0';
  if (a >= 100) return v.toFixed(0);
  if (a < 1e-4) return v.toExponential(1);
  return String(Number(v.toPrecision(3)));
}

/**
 * Legend ticks for [lo, hi]: both ends always (so the scale says its whole range), and round
 * values in between that keep clear of the ends. An empty range (all maps 0) gives one tick.
 */
export function legendTicks(lo: number, hi: number, count = 5): Tick[] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [];
  if (!(hi > lo)) return [{ value: lo, at: 0, label: endLabel(lo) }];
  const step = niceStep(hi - lo, count);
  const span = hi - lo;
  const ticks: Tick[] = [{ value: lo, at: 0, label: endLabel(lo) }];
  for (let v = Math.ceil(lo / step) * step; v < hi; v += step) {
    const at = (v - lo) / span;
    // an inner tick closer than 12% to an end would print on top of the end's label
    if (at > 0.12 && at < 0.88) ticks.push({ value: v, at, label: tickLabel(v, step) });
  }
  ticks.push({ value: hi, at: 1, label: endLabel(hi) });
  return ticks;
}

export interface GridFit {
  columns: number;
  /** tile side in px (the map is scaled to it, not only by whole factors) */
  tile: number;
}

/**
 * Columns and tile size that fill `width` with maps: tiles near `target` px, never under
 * `minTile`, and never more columns than maps. Uses the whole width (less than one tile's
 * rounding at the right), so a 280 px side panel has no empty band and no sideways scroll.
 */
export function fitGrid(width: number, channels: number, gap: number, target = 40, minTile = 16): GridFit {
  const w = Math.max(minTile, Math.floor(width));
  let columns = Math.max(1, Math.min(channels, Math.round((w + gap) / (target + gap))));
  while (columns > 1 && (w - gap * (columns - 1)) / columns < minTile) columns--;
  const tile = Math.max(1, Math.floor((w - gap * (columns - 1)) / columns));
  return { columns, tile };
}

/**
 * The tile a key moves to in a grid of `count` tiles in `columns` columns, from `at` (-1: none
 * yet, so any step lands on the first). Undefined for keys that do not move.
 */
export function gridKeyStep(key: string, at: number, count: number, columns: number): number | undefined {
  const step: Record<string, number> = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: columns, ArrowUp: -columns, Home: -count, End: count };
  if (!(key in step) || count <= 0) return undefined;
  if (at < 0) return 0;
  return Math.max(0, Math.min(count - 1, at + step[key]));
}
