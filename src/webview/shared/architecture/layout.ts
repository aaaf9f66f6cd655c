// The architecture diagram's geometry, apart from the DOM so it can be tested: which layers get a
// box, how big each box is (height from the spatial size, thickness from the channel count, as in
// the paper's figure 2), which labels go under it, and where everything goes for a given width.
// Columns are as wide as their widest label, so no two labels can meet; when the row would be
// wider than the panel, the diagram wraps onto further rows joined by a connector line.
import type { LayerRow } from '../../../protocol/engine/core';

/** What the diagram needs of a model: the architecture view's info and the weights viewer's binding both fit. */
export interface ArchitectureModel {
  variant: string;
  inputSize: number;
  layers: LayerRow[];
  totalParams: number;
  totalFlops: number;
  numClasses: number;
}

/** Width in px of a text in one of the diagram's label styles (canvas measureText in the page). */
export type Measure = (text: string, style: LabelStyle) => number;
export type LabelStyle = 'name' | 'sub' | 'step';
export const FONT_PX: Record<LabelStyle, number> = { name: 11, sub: 10, step: 10 };

const MAJOR = new Set(['conv', 'maxpool', 'adaptiveavgpool', 'dense', 'softmax']);
const STEP_LABEL: Record<string, string> = { relu: 'ReLU', lrn: 'LRN', dropout: 'dropout', flatten: 'flatten' };

export interface Block {
  row: LayerRow | undefined; // undefined: the input
  name: string;
  kind: string;
  shape: number[];
  /** minor steps (ReLU, LRN, dropout, flatten) between the previous block and this one */
  before: string[];
}

export function blocksOf(model: ArchitectureModel): Block[] {
  const s = model.inputSize;
  const blocks: Block[] = [{ row: undefined, name: 'input', kind: 'input', shape: [s, s, 3], before: [] }];
  let pending: string[] = [];
  for (const row of model.layers) {
    if (MAJOR.has(row.kind)) {
      blocks.push({ row, name: row.name, kind: row.kind, shape: row.outputShape, before: pending });
      pending = [];
    } else pending.push(STEP_LABEL[row.kind] ?? row.kind);
  }
  if (pending.length) blocks[blocks.length - 1].before.push(...pending);
  return blocks;
}

export function compact(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)}G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}K`;
  return String(n);
}

export function pct(part: number, total: number): string {
  if (!total || !part) return '0%';
  const p = (100 * part) / total;
  return p < 0.1 ? '<0.1%' : `${p.toFixed(p < 10 ? 1 : 0)}%`;
}

/** The channel count a block's thickness stands for (units for a dense layer). */
export function channelsOf(b: Block): number {
  return b.shape.length === 3 ? b.shape[2] : b.shape[0];
}

/**
 * Box size: front face height from the spatial size (sqrt, so 13×13 stays visible next to
 * 224×224), thickness from the channel count (sqrt: 64, 256 and 384 channels look different),
 * and an oblique depth for the other spatial side. Dense layers are thin and tall by their units.
 */
export function boxOf(b: Block): { w: number; h: number; d: number } {
  if (b.shape.length === 3) {
    const [hh, , c] = b.shape;
    const h = 7 * Math.sqrt(hh) + 8;
    return { w: 3 + 2.2 * Math.sqrt(c), h, d: h * 0.35 };
  }
  const units = b.shape[0];
  return { w: 8, h: 24 + 7 * Math.log2(units + 1), d: 5 };
}

/**
 * The lines under a block: name, output shape, operation, parameters and FLOPs. The shares of the
 * totals are in the block's tooltip, its FLOPs bar and the table, which keeps columns narrow
 * enough for the whole network to fit one row of a wide panel.
 */
export function labelLines(b: Block, model: ArchitectureModel): { text: string; style: LabelStyle }[] {
  const r = b.row;
  const lines: { text: string; style: LabelStyle }[] = [{ text: b.name, style: 'name' }, { text: b.shape.join('×'), style: 'sub' }];
  if (!r) return [...lines, { text: 'RGB image', style: 'sub' }];
  const sub = (text: string) => lines.push({ text, style: 'sub' });
  const op = operationOf(r, model.numClasses);
  if (op) sub(op);
  if (r.params) sub(`${compact(r.params)} params`);
  if (r.flops) sub(`${compact(r.flops)} FLOPs`);
  return lines;
}

export function operationOf(r: LayerRow, numClasses: number): string {
  if (r.kind === 'conv') return `${r.kernel}×${r.kernel}/${r.stride} p${r.pad}${r.groups && r.groups > 1 ? ` g${r.groups}` : ''}`;
  if (r.kind === 'maxpool') return `max ${r.kernel}×${r.kernel}/${r.stride}`;
  if (r.kind === 'adaptiveavgpool') return 'adaptive avg';
  if (r.kind === 'dense') return 'dense';
  if (r.kind === 'softmax') return `${numClasses} classes`;
  return '';
}

/** The block's tooltip and accessible description: every figure, shares included. */
export function describeBlock(b: Block, model: ArchitectureModel): string {
  const r = b.row;
  if (!r) return `input: ${b.shape.join(' × ')} RGB image`;
  const op = operationOf(r, model.numClasses);
  const parts = [`${b.name}: ${r.kind}`, op === r.kind ? '' : op, `output ${b.shape.join(' × ')}`];
  if (r.params) parts.push(`${r.params.toLocaleString('en-US')} parameters (${pct(r.params, model.totalParams)})`);
  if (r.flops) parts.push(`${compact(r.flops)} FLOPs (${pct(r.flops, model.totalFlops)})`);
  if (b.before.length) parts.push(`after ${b.before.join(', ')}`);
  return parts.filter(Boolean).join(', ');
}

export interface Rect { x: number; y: number; w: number; h: number }
export interface PlacedText { text: string; style: LabelStyle; x: number; y: number; width: number; anchor: 'middle' | 'start' }
export interface PlacedBlock {
  block: Block;
  /** the column the block and its labels own */
  column: Rect;
  /** front face (x, y, w, h) and the oblique depth d of the top and side faces */
  front: Rect;
  d: number;
  labels: PlacedText[];
  /** the FLOPs share bar under the labels, when the layer has FLOPs */
  share?: Rect;
}
export interface Arrow {
  /** a polyline */
  points: [number, number][];
  /** whether its last segment ends in an arrow head (the connectors between rows do not) */
  head: boolean;
  labels: PlacedText[];
}
export interface DiagramLayout {
  width: number;
  height: number;
  rows: number;
  blocks: PlacedBlock[];
  arrows: Arrow[];
}

const LINE = 14; // label line pitch: an 11 px line box and a gap
const PAD = 6; // space between a column's labels and the next column
const MARGIN = 14; // left and right: room for the connector between rows
const ROW_GAP = 18; // between one row's labels and the next row's boxes
const ARROW_MIN = 16; // shortest arrow between two boxes

/** Bounding box of a placed text (the baseline is at y). */
export function textRect(t: PlacedText): Rect {
  const size = FONT_PX[t.style];
  const x = t.anchor === 'middle' ? t.x - t.width / 2 : t.x;
  // ascent and descent of the UI fonts (Segoe UI, SF, Ubuntu, DejaVu) are under 0.92 and 0.24 em
  return { x, y: t.y - size * 0.92, w: t.width, h: size * 1.16 };
}

/** Lays the diagram out in at most `maxWidth` px (as wide as it needs when one column is wider). */
export function layoutDiagram(model: ArchitectureModel, maxWidth: number, measure: Measure): DiagramLayout {
  const blocks = blocksOf(model);
  const boxes = blocks.map(boxOf);
  const lines = blocks.map((b) => labelLines(b, model));
  const colW = blocks.map((b, i) => Math.ceil(Math.max(boxes[i].w + boxes[i].d, ...lines[i].map((l) => measure(l.text, l.style)))) + PAD);
  // The gap before block i holds its arrow and the steps written above it.
  const gapW = blocks.map((b) => Math.ceil(Math.max(ARROW_MIN, ...b.before.map((s) => measure(s, 'step') + 6))));
  gapW[0] = 0;

  // Greedy rows at the panel's width give the number of rows; then the narrowest width that
  // still needs no more rows balances them (no short last row under a long first one).
  const rowsOf = (limit: number): number[][] => {
    const rows: number[][] = [[]];
    let used = MARGIN * 2;
    blocks.forEach((_, i) => {
      const need = gapW[i] + colW[i];
      if (rows[rows.length - 1].length && used + need > limit) {
        rows.push([i]);
        used = MARGIN * 2 + need;
      } else {
        rows[rows.length - 1].push(i);
        used += need;
      }
    });
    return rows;
  };
  const count = rowsOf(maxWidth).length;
  let lo = 0;
  let hi = maxWidth;
  while (hi - lo > 1) {
    const midW = (lo + hi) >> 1;
    if (rowsOf(midW).length <= count) hi = midW;
    else lo = midW;
  }
  const rows = rowsOf(hi);

  const placed: PlacedBlock[] = [];
  const arrows: Arrow[] = [];
  const stepsAbove = Math.max(0, ...blocks.map((b) => b.before.length));
  let top = 6;
  let width = 0;
  const rowBox: { mid: number; bottom: number; boxRight: number; labelsRight: number }[] = [];
  for (const row of rows) {
    const maxBox = Math.max(...row.map((i) => boxes[i].h + boxes[i].d));
    // The steps above an arrow must clear the row's top.
    const boxTop = top + Math.max(0, stepsAbove * LINE - maxBox / 2 + 4);
    const mid = boxTop + maxBox / 2;
    const labelTop = boxTop + maxBox + 14;
    const natural = row.reduce((a, i, k) => a + colW[i] + (k || i ? gapW[i] : 0), 0);
    // Spread the spare width over the gaps, a little, so a wide panel is used without stretching arrows absurdly.
    const gaps = row.filter((i, k) => k || i).length;
    const spare = Math.max(0, maxWidth - MARGIN * 2 - natural);
    const extra = gaps ? Math.floor(Math.min(spare / gaps, 40)) : 0;
    let x = MARGIN;
    let bottom = labelTop;
    let prevRight: number | undefined;
    for (const [k, i] of row.entries()) {
      const b = blocks[i];
      const box = boxes[i];
      const gapStart = x;
      if (k || i) x += gapW[i] + extra;
      const cx = x + colW[i] / 2;
      const left = cx - (box.w + box.d) / 2;
      const y0 = mid - box.h / 2 + box.d / 2;
      const labels: PlacedText[] = lines[i].map((l, j) => ({ text: l.text, style: l.style, x: cx, y: labelTop + LINE * j, width: measure(l.text, l.style), anchor: 'middle' }));
      let share: Rect | undefined;
      const last = labelTop + LINE * (lines[i].length - 1);
      if (b.row?.flops && model.totalFlops) {
        const w = Math.max(1, (colW[i] - PAD) * (b.row.flops / model.totalFlops));
        share = { x: cx - (colW[i] - PAD) / 2, y: last + 5, w, h: 3 };
      }
      bottom = Math.max(bottom, last + 10);
      placed.push({ block: b, column: { x, y: boxTop, w: colW[i], h: bottom - boxTop }, front: { x: left, y: y0, w: box.w, h: box.h }, d: box.d, labels, share });
      if (k || i) {
        // The arrow into this block: from the previous box, or from the row's left edge after a wrap.
        const from = prevRight !== undefined ? prevRight + 3 : gapStart;
        const to = left - 3;
        const steps = b.before.map((s, j): PlacedText => ({ text: s, style: 'step', x: (from + to) / 2, y: mid - 5 - LINE * (b.before.length - 1 - j), width: measure(s, 'step'), anchor: 'middle' }));
        arrows.push({ points: [[from, mid], [to, mid]], labels: steps, head: true });
      }
      prevRight = left + box.w + box.d;
      x += colW[i];
    }
    width = Math.max(width, x + MARGIN);
    rowBox.push({ mid, bottom, boxRight: prevRight ?? x, labelsRight: x - PAD / 2 });
    top = bottom + ROW_GAP;
  }
  // Connectors between rows: right from the last box, down below the row's labels, left, down to the next row's arrow.
  for (let r = 0; r + 1 < rowBox.length; r++) {
    const a = rowBox[r];
    const b = rowBox[r + 1];
    const lane = a.bottom + ROW_GAP / 2;
    // Right of the last column's labels, so the line down crosses none of them.
    const rightX = a.labelsRight + 5;
    arrows.push({ points: [[a.boxRight + 3, a.mid], [rightX, a.mid], [rightX, lane], [4, lane], [4, b.mid], [MARGIN, b.mid]], labels: [], head: false });
  }
  return { width: Math.ceil(width), height: Math.ceil(top - ROW_GAP + 6), rows: rows.length, blocks: placed, arrows };
}

/** A stand-in for canvas measureText: a generous average glyph width per style (for tests and before fonts load). */
export const estimateWidth: Measure = (text, style) => text.length * FONT_PX[style] * (style === 'name' ? 0.66 : 0.6);
