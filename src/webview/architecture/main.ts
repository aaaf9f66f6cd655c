// The architecture diagram: each conv, pool and dense layer as a box in the style of the
// paper's figure 2 (height ~ spatial size, thickness ~ channels), the ReLU/LRN/dropout steps on
// the arrows, and under each box its output shape, kernel/stride/padding/groups, parameters and
// FLOPs with their share of the total. A table repeats every layer (the `alexnet info` numbers).
// Ids used by the e2e tests: #status[data-state], svg#diagram g.block[data-layer], table.layers.
import '../shared/litNonce';
import { h, replaceChildren } from '../shared/dom';
import { bootWebview } from '../shared/boot';
import type { LayerRow } from '../../protocol/engine';
import type { ArchitectureView, WebviewToHost, ArchitectureProtocol } from '../../protocol/webview/architecture';

const page = bootWebview<ArchitectureProtocol>();
const { api, app } = page;
const send = (m: WebviewToHost) => api.post(m);
const SVG = 'http://www.w3.org/2000/svg';

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, ...children: (SVGElement | string)[]): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  for (const c of children) el.append(typeof c === 'string' ? document.createTextNode(c) : c);
  return el;
}

export function compact(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)}G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}K`;
  return String(n);
}

function pct(part: number, total: number): string {
  if (!total || !part) return '0%';
  const p = (100 * part) / total;
  return p < 0.1 ? '<0.1%' : `${p.toFixed(p < 10 ? 1 : 0)}%`;
}

const MAJOR = new Set(['conv', 'maxpool', 'adaptiveavgpool', 'dense', 'softmax']);
const MINOR_LABEL: Record<string, string> = { relu: 'ReLU', lrn: 'LRN', dropout: 'dropout', flatten: 'flatten' };

interface Block {
  row: LayerRow | undefined; // undefined: the input
  name: string;
  kind: string;
  shape: number[];
  /** minor steps between the previous block and this one */
  before: string[];
}

function blocksOf(view: ArchitectureView): Block[] {
  const s = view.info.inputSize;
  const blocks: Block[] = [{ row: undefined, name: 'input', kind: 'input', shape: [s, s, 3], before: [] }];
  let pending: string[] = [];
  for (const row of view.info.layers) {
    if (MAJOR.has(row.kind)) {
      blocks.push({ row, name: row.name, kind: row.kind, shape: row.outputShape, before: pending });
      pending = [];
    } else pending.push(MINOR_LABEL[row.kind] ?? row.kind);
  }
  // Steps after the last block (rare) go on it.
  if (pending.length) blocks[blocks.length - 1].before.push(...pending);
  return blocks;
}

/** Box size: front face height from the spatial size, thickness from the channel count. */
function boxOf(b: Block): { w: number; h: number; d: number } {
  if (b.shape.length === 3) {
    const [hh, , c] = b.shape;
    const h = 10 * Math.sqrt(hh) + 6;
    return { w: Math.max(6, 5 * Math.log2(c + 1) - 4), h, d: h * 0.45 };
  }
  const units = b.shape[0];
  return { w: 10, h: 30 + 8 * Math.log2(units + 1), d: 6 };
}

function kindClass(kind: string): string {
  if (kind === 'conv') return 'conv';
  if (kind === 'maxpool' || kind === 'adaptiveavgpool') return 'pool';
  if (kind === 'dense') return 'dense';
  return kind;
}

function detailLines(b: Block, view: ArchitectureView): string[] {
  const r = b.row;
  const shape = b.shape.join('×');
  if (!r) return [shape, 'RGB image'];
  const lines = [shape];
  if (r.kind === 'conv') lines.push(`${r.kernel}×${r.kernel} /${r.stride} pad ${r.pad}${r.groups && r.groups > 1 ? ` g${r.groups}` : ''}`);
  else if (r.kind === 'maxpool') lines.push(`max ${r.kernel}×${r.kernel} /${r.stride}`);
  else if (r.kind === 'adaptiveavgpool') lines.push('adaptive avg');
  else if (r.kind === 'dense') lines.push('fully connected');
  else if (r.kind === 'softmax') lines.push(`${view.numClasses} classes`);
  if (r.params) lines.push(`${compact(r.params)} params · ${pct(r.params, view.info.totalParams)}`);
  if (r.flops) lines.push(`${compact(r.flops)} FLOPs · ${pct(r.flops, view.info.totalFlops)}`);
  return lines;
}

function diagram(view: ArchitectureView): SVGSVGElement {
  const blocks = blocksOf(view);
  const boxes = blocks.map(boxOf);
  const maxH = Math.max(...boxes.map((b) => b.h + b.d));
  const top = 24;
  const mid = top + maxH / 2 + 10;
  const labelTop = top + maxH + 26;
  const colW = 112;
  const root = svg('svg', { id: 'diagram', class: 'arch-svg', role: 'img', 'aria-label': `AlexNet ${view.info.variant}: data flow from input to softmax` });
  const defs = svg('defs', {}, svg('marker', { id: 'head', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 6, markerHeight: 6, orient: 'auto-start-reverse' }, svg('path', { d: 'M0,0 L10,5 L0,10 z', class: 'arrowhead' })));
  root.append(defs);
  let x = 20;
  const centres: number[] = [];
  blocks.forEach((b, i) => {
    const box = boxes[i];
    const cx = x + colW / 2;
    centres.push(cx);
    const left = cx - (box.w + box.d) / 2;
    const y0 = mid - box.h / 2 + box.d / 2;
    const front = `M${left},${y0} h${box.w} v${box.h} h${-box.w} z`;
    const topFace = `M${left},${y0} l${box.d},${-box.d} h${box.w} l${-box.d},${box.d} z`;
    const side = `M${left + box.w},${y0} l${box.d},${-box.d} v${box.h} l${-box.d},${box.d} z`;
    const clickable = b.kind !== 'input';
    const title = svg('title', {}, b.row ? `${b.name}: ${b.row.kind}, output ${b.shape.join('×')}${b.kind === 'conv' ? ' (click: filters)' : ' (click: feature maps)'}` : 'input image');
    const g = svg(
      'g',
      { class: `block ${kindClass(b.kind)}`, 'data-layer': b.name, 'data-kind': b.kind, ...(clickable && { tabindex: 0, role: 'button', 'aria-label': `${b.name}, output ${b.shape.join(' by ')}` }) },
      title,
      svg('path', { d: side, class: 'side' }),
      svg('path', { d: topFace, class: 'top' }),
      svg('path', { d: front, class: 'front' }),
    );
    const lines = detailLines(b, view);
    g.append(svg('text', { x: cx, y: labelTop, 'text-anchor': 'middle', class: 'name' }, b.name));
    lines.forEach((l, j) => g.append(svg('text', { x: cx, y: labelTop + 14 * (j + 1), 'text-anchor': 'middle', class: j ? 'sub' : '' }, l)));
    // FLOPs share as a small bar under the labels.
    if (b.row?.flops) {
      const share = b.row.flops / view.info.totalFlops;
      g.append(svg('rect', { x: cx - 40, y: labelTop + 14 * lines.length + 6, width: Math.max(1, 80 * share), height: 3, class: 'share' }));
    }
    if (clickable) {
      const open = () => send({ type: 'openLayer', layer: b.name, kind: b.kind });
      g.addEventListener('click', open);
      g.addEventListener('keydown', (e) => {
        if (e.key === 'Enter' || e.key === ' ') {
          e.preventDefault();
          open();
        }
      });
    }
    root.append(g);
    x += colW;
  });
  // Arrows with the minor steps (ReLU, LRN, dropout, flatten) written on them.
  blocks.forEach((b, i) => {
    if (i === 0) return;
    const from = centres[i - 1] + (boxes[i - 1].w + boxes[i - 1].d) / 2 + 4;
    const to = centres[i] - (boxes[i].w + boxes[i].d) / 2 - 4;
    root.append(svg('line', { x1: from, y1: mid, x2: to, y2: mid, class: 'arrow', 'marker-end': 'url(#head)' }));
    b.before.forEach((label, j) => root.append(svg('text', { x: (from + to) / 2, y: mid - 6 - 12 * j, 'text-anchor': 'middle', class: 'sub' }, label)));
  });
  const width = x + 20;
  const height = labelTop + 14 * 6 + 10;
  root.setAttribute('viewBox', `0 0 ${width} ${height}`);
  root.setAttribute('width', String(width));
  root.setAttribute('height', String(height));
  return root;
}

function table(view: ArchitectureView): HTMLElement {
  const { totalParams, totalFlops } = view.info;
  const rows = view.info.layers.map((r) => {
    const clickable = r.kind !== 'dropout';
    const tr = h(
      'tr',
      { class: `${MAJOR.has(r.kind) ? '' : 'minor'} ${clickable ? 'clickable' : ''}`, dataset: { layer: r.name }, ...(clickable && { tabindex: '0' }) },
      h('td', null, r.name),
      h('td', { class: 'kind' }, r.kind),
      h('td', null, r.outputShape.join('×')),
      h('td', null, r.kernel ? `${r.kernel}×${r.kernel}` : ''),
      h('td', null, r.stride ? String(r.stride) : ''),
      h('td', null, r.pad !== undefined ? String(r.pad) : ''),
      h('td', null, r.groups ? String(r.groups) : ''),
      h('td', null, r.params ? r.params.toLocaleString('en-US') : ''),
      h('td', null, r.params ? pct(r.params, totalParams) : ''),
      h('td', null, r.flops ? compact(r.flops) : ''),
      h('td', null, r.flops ? pct(r.flops, totalFlops) : ''),
    );
    if (clickable) {
      const open = () => send({ type: 'openLayer', layer: r.name, kind: r.kind });
      tr.addEventListener('click', open);
      tr.addEventListener('keydown', (e) => e.key === 'Enter' && open());
    }
    return tr;
  });
  return h(
    'table',
    { class: 'layers' },
    h('thead', null, h('tr', null, ...['Layer', 'Kind', 'Output', 'Kernel', 'Stride', 'Pad', 'Groups', 'Parameters', '%', 'FLOPs', '%'].map((t) => h('th', null, t)))),
    h('tbody', null, ...rows),
    h('tfoot', null, h('tr', null, h('td', null, 'total'), h('td'), h('td'), h('td'), h('td'), h('td'), h('td'), h('td', null, totalParams.toLocaleString('en-US')), h('td', null, '100%'), h('td', null, compact(totalFlops)), h('td', null, '100%'))),
  );
}

function render(view: ArchitectureView): void {
  const { info } = view;
  replaceChildren(
    app,
    h('h1', null, `AlexNet (${info.variant})`),
    h('p', { class: 'meta' }, `${view.weightsLabel} · input ${info.inputSize}×${info.inputSize}×3 · ${info.totalParams.toLocaleString('en-US')} parameters · ${(info.totalFlops / 1e9).toFixed(2)} GFLOPs per image (a multiply-add counts 2) · ${info.backend.label}`),
    view.untrained ? h('div', { class: 'banner', role: 'note' }, h('strong', null, 'Untrained (random weights). '), 'The shapes are real; the filters and activations are noise.') : null,
    h('p', { class: 'meta' }, 'Click a conv layer to see its filters, any other layer to see its feature maps for an image.'),
    h('div', { class: 'grid-wrap' }, diagram(view)),
    table(view),
    h('p', { id: 'status', class: 'status', dataset: { state: 'done' } }),
  );
}

function setStatus(kind: 'busy' | 'error', text: string): void {
  replaceChildren(app, h('p', { id: 'status', class: 'status', dataset: { state: kind }, role: kind === 'error' ? 'alert' : 'status' }, text));
}

page.onMessage((msg) => {
  switch (msg.type) {
    case 'model':
      api.setState({ view: msg.view });
      render(msg.view);
      break;
    case 'busy':
      if (!api.getState()?.view) setStatus('busy', msg.message);
      break;
    case 'error':
      setStatus('error', msg.message);
      break;
  }
});

const saved = api.getState()?.view;
if (saved) render(saved);
send({ type: 'ready' });
