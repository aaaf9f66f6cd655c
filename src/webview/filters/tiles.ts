// How the filters view draws a filter: its value range, its tiles (RGB for conv1, one greyscale
// tile per input channel deeper), its size in map pixels, and the numbers table that is the
// grid's text alternative.
import { h } from '../shared/dom';
import type { FilterBlock } from '../../protocol/engine';

/** Each filter's range, norm and bias: the grid's text alternative. */
export function numbersTable(b: FilterBlock): HTMLElement {
  const size = b.kernel * b.kernel * b.inPerGroup;
  const rows: HTMLElement[] = [];
  for (let f = 0; f < b.count; f++) {
    let lo = Infinity;
    let hi = -Infinity;
    let sq = 0;
    for (let i = f * size; i < (f + 1) * size; i++) {
      const v = b.weights[i];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
      sq += v * v;
    }
    rows.push(h('tr', null, h('th', { scope: 'row' }, String(b.start + f)), h('td', null, lo.toFixed(4)), h('td', null, hi.toFixed(4)), h('td', null, Math.sqrt(sq).toFixed(4)), h('td', null, b.bias[f].toFixed(4))));
  }
  return h('table', { class: 'layers' }, h('thead', null, h('tr', null, ...['filter', 'min', 'max', 'L2 norm', 'bias'].map((t) => h('th', { scope: 'col' }, t)))), h('tbody', null, ...rows));
}

/** The value range a filter (or the layer) is scaled with: symmetric around 0 for greyscale. */
export function filterRange(b: FilterBlock, f: number, globalScale: boolean): [number, number] {
  if (globalScale) return [b.min, b.max];
  const size = b.kernel * b.kernel * b.inPerGroup;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = f * size; i < (f + 1) * size; i++) {
    const v = b.weights[i];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}

/** Input channels of a filter laid out as a near-square grid of k×k tiles. */
function channelGrid(b: FilterBlock): { cols: number; rows: number } {
  const cols = Math.ceil(Math.sqrt(b.inPerGroup));
  return { cols, rows: Math.ceil(b.inPerGroup / cols) };
}

/** Draws filter f of the block at (ox, oy), each weight a scale×scale square. */
export function drawFilter(px: Uint32Array, stride: number, b: FilterBlock, f: number, ox: number, oy: number, scale: number, globalScale: boolean): void {
  const k = b.kernel;
  const inC = b.inPerGroup;
  const [lo, hi] = filterRange(b, f, globalScale);
  const base = f * k * k * inC;
  const put = (x: number, y: number, r: number, g: number, bl: number) => {
    const c = (255 << 24) | (bl << 16) | (g << 8) | r;
    for (let dy = 0; dy < scale; dy++) {
      const row = (oy + y * scale + dy) * stride + ox + x * scale;
      for (let dx = 0; dx < scale; dx++) px[row + dx] = c;
    }
  };
  if (inC === 3) {
    // An RGB tile; Caffe weights see BGR, so swap them back to show true colours.
    const bgr = b.channelOrder === 'bgr';
    const span = hi - lo || 1;
    for (let y = 0; y < k; y++)
      for (let x = 0; x < k; x++) {
        const i = base + (y * k + x) * 3;
        const v = [0, 1, 2].map((c) => Math.round(((b.weights[i + c] - lo) / span) * 255));
        if (bgr) put(x, y, v[2], v[1], v[0]);
        else put(x, y, v[0], v[1], v[2]);
      }
    return;
  }
  // Greyscale tiles, 0 at mid-grey.
  const m = Math.max(Math.abs(lo), Math.abs(hi)) || 1;
  const { cols } = channelGrid(b);
  for (let c = 0; c < inC; c++) {
    const tx = (c % cols) * (k + 1);
    const ty = Math.floor(c / cols) * (k + 1);
    for (let y = 0; y < k; y++)
      for (let x = 0; x < k; x++) {
        const v = Math.round(127.5 + (127.5 * b.weights[base + (y * k + x) * inC + c]) / m);
        put(tx + x, ty + y, v, v, v);
      }
  }
}

export function filterSize(b: FilterBlock): { w: number; h: number } {
  if (b.inPerGroup === 3) return { w: b.kernel, h: b.kernel };
  const { cols, rows } = channelGrid(b);
  return { w: cols * (b.kernel + 1) - 1, h: rows * (b.kernel + 1) - 1 };
}
