// The weights-file viewer: the file's verdict (AlexNet variant, or why not), the architecture
// diagram and layer table bound to its weights (shared with the architecture view), conv1's filters, every tensor with its statistics and histogram, and the
// per-layer comparison with another file. A block or layer row shows that layer's tensors
// (layerDetail.ts). Ids for the e2e tests: #status[data-state], #verdict, table.tensors,
// svg#diagram g.block[data-layer], table.layers, section#layer-detail, canvas#conv1, table.comparison.
import '../shared/litNonce';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import { h, replaceChildren } from '../shared/dom';
import { bootWebview } from '../shared/boot';
import { architectureDiagram, markSelectedBlock } from '../shared/architecture/diagram';
import { layerTable } from '../shared/architecture/table';
import { compact, type ArchitectureModel } from '../shared/architecture/layout';
import type { AlexNetBinding, LayerDifference, ModelFileReport } from '../../protocol/engine/modelFiles';
import type { ModelFileAction, ModelFileProtocol } from '../../protocol/webview/modelFile';
import { fmt, NUMERIC_COLUMNS, shape, TENSOR_COLUMNS, tensorCells } from './tensorCells';
import { emptyLayerDetail, showLayerDetail } from './layerDetail';

const page = bootWebview<ModelFileProtocol>();
const { api, app } = page;
const status = h('div', { id: 'status', class: 'status', dataset: { state: 'loading' } }, 'Reading the file…');
const bar = h('progress', { max: '1', value: '0' });
const body = h('div');
const comparison = h('div', { id: 'comparison' });
replaceChildren(app, status, bar, body, comparison);

function setStatus(state: 'loading' | 'done' | 'error', text: string): void {
  status.dataset.state = state;
  status.textContent = text;
  bar.hidden = state !== 'loading';
}

function button(label: string, action: ModelFileAction, icon: string, secondary = false): HTMLElement {
  const b = h('vscode-button', { icon, ...(secondary ? { secondary: true } : {}), dataset: { action } }, label);
  b.addEventListener('click', () => api.post({ type: 'action', action }));
  return b;
}

function tensorTable(report: ModelFileReport): HTMLElement {
  const rows = report.tensors.map((t) => h('tr', { dataset: { name: t.name } }, ...tensorCells(t)));
  const total = report.tensors.reduce((a, t) => a + t.numel, 0);
  return h('div', { class: 'scroll' },
    h('h2', null, `Tensors (${report.tensors.length}, ${total.toLocaleString('en-US')} values)`),
    h('table', { class: 'tensors' },
      h('thead', null, h('tr', null, ...TENSOR_COLUMNS.map((c) => h('th', { class: NUMERIC_COLUMNS.has(c) ? 'num' : '' }, c)))),
      h('tbody', null, ...rows)));
}

/**
 * The architecture diagram and layer table bound to these weights: each layer names the file's
 * key for it; a click on a block or row (or Tab, the arrow keys, Enter/Space) shows that layer's
 * tensors from the file under the diagram, as the architecture view opens a layer.
 */
function architecture(a: AlexNetBinding, report: ModelFileReport): HTMLElement {
  const model: ArchitectureModel = { variant: a.variant, inputSize: a.inputSize, layers: a.layers, totalParams: a.totalParams, totalFlops: a.totalFlops, numClasses: a.numClasses };
  const key = (layer: string) => a.sources[`${layer}.weight`] ?? '';
  const detail = emptyLayerDetail();
  let selected: string | undefined;
  const open = (layer: string) => {
    selected = layer;
    showLayerDetail(detail, model, a, report.tensors, layer);
    markSelectedBlock(section, layer);
    detail.scrollIntoView({ block: 'nearest' });
  };
  const section = h('section', { class: 'architecture' },
    h('h2', null, `Architecture bound to these weights: ${a.totalParams.toLocaleString('en-US')} parameters, ${compact(a.totalFlops)}FLOPs per image`),
    h('p', { class: 'meta' }, "Click a layer (or Tab to it, the arrow keys, then Enter) to see its tensors in this file."),
    architectureDiagram(model, {
      onOpen: (b) => open(b.name),
      hint: (b) => `${key(b.name) ? `file key ${key(b.name)}` : 'no weights'}; Enter: its tensors`,
      describedBy: 'layer-table',
      selected: () => selected,
    }),
    detail,
    layerTable(model, { onOpen: (layer) => open(layer), extra: { header: 'file key', cell: key } }));
  return section;
}

/** conv1 as RGB tiles (the paper's figure 3), each filter scaled to its own range. */
function conv1Tiles(a: AlexNetBinding): HTMLElement {
  const [kh, kw, cin, n] = a.conv1.shape;
  const wrap = h('div', null, h('h2', null, `conv1: ${n} filters, ${kh}×${kw}×${cin}`));
  if (cin !== 3) return wrap;
  const cols = Math.min(16, n);
  const rows = Math.ceil(n / cols);
  const pad = 1;
  const c = h('canvas', { id: 'conv1', class: 'pixelated', width: String(cols * (kw + pad)), height: String(rows * (kh + pad)), role: 'img', 'aria-label': `conv1's ${n} filters as RGB tiles, ${cols} per row, each scaled to its own range` });
  const scale = Math.max(2, Math.floor(512 / (cols * (kw + pad))));
  c.style.width = `${cols * (kw + pad) * scale}px`;
  const g = c.getContext('2d');
  if (!g) return wrap;
  const img = g.createImageData(c.width, c.height);
  const bgr = a.variant !== 'torchvision'; // paper/caffe take BGR input: show the filters in RGB
  const d = a.conv1.data;
  for (let f = 0; f < n; f++) {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < kh * kw * cin; i++) {
      const v = d[i * n + f];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    const s = hi > lo ? 255 / (hi - lo) : 0;
    const ox = (f % cols) * (kw + pad);
    const oy = Math.floor(f / cols) * (kh + pad);
    for (let y = 0; y < kh; y++)
      for (let x = 0; x < kw; x++)
        for (let ch = 0; ch < 3; ch++) {
          const v = d[((y * kw + x) * cin + ch) * n + f];
          const p = ((oy + y) * c.width + ox + x) * 4;
          img.data[p + (bgr ? 2 - ch : ch)] = (v - lo) * s;
          img.data[p + 3] = 255;
        }
  }
  g.putImageData(img, 0, 0);
  wrap.append(c);
  return wrap;
}

function render(report: ModelFileReport, fileName: string): void {
  const a = report.alexnet;
  const size = report.bytes >= 1e6 ? `${(report.bytes / 1e6).toFixed(1)} MB` : `${report.bytes.toLocaleString('en-US')} bytes`;
  const verdict = a
    ? h('div', { id: 'verdict', dataset: { variant: a.variant } },
        h('span', { class: 'badge' }, `AlexNet ${a.variant}`),
        `${a.numClasses} classes, ${a.inputSize}×${a.inputSize} input${a.grouped ? ', grouped convolutions (two towers)' : ''}; keys: ${a.keyStyle}`,
        a.classNames ? h('div', { class: 'meta' }, `classes: ${a.classNames.slice(0, 12).join(', ')}${a.classNames.length > 12 ? ', …' : ''}`) : null)
    : h('div', { id: 'verdict', dataset: { variant: 'none' } }, h('div', { class: 'banner' }, `Not an AlexNet this extension can run:\n${report.notAlexNet ?? ''}`));
  const actions = h('div', { class: 'toolbar' },
    a ? button('Use These Weights', 'useWeights', 'check') : null,
    a ? button('Classify an Image with These', 'classify', 'symbol-misc', true) : null,
    button('Compare with…', 'compare', 'diff', true),
    a && report.format !== 'onnx' ? button('Export Model…', 'export', 'export', true) : null);
  const meta = Object.entries(report.metadata).filter(([k]) => k !== 'classNames');
  replaceChildren(body,
    h('h1', null, fileName),
    h('div', { class: 'meta' }, `${report.format} · ${size} · ${report.tensors.length} tensors`),
    verdict,
    ...report.notes.map((n) => h('div', { class: 'meta' }, n)),
    actions,
    meta.length ? h('details', null, h('summary', null, `Metadata (${meta.length})`),
      h('table', null, h('tbody', null, ...meta.map(([k, v]) => h('tr', null, h('td', { class: 'name' }, k), h('td', null, v.length > 300 ? `${v.slice(0, 300)}…` : v)))))) : null,
    a ? conv1Tiles(a) : null,
    a ? architecture(a, report) : null,
    tensorTable(report));
  setStatus('done', a ? `AlexNet (${a.variant}) weights` : 'Not an AlexNet: tensors only');
}

function renderComparison(layers: LayerDifference[], basis: string, otherName: string, onlyA: string[], onlyB: string[]): void {
  const peak = Math.max(...layers.map((l) => (Number.isFinite(l.relativeChange ?? 0) ? l.relativeChange ?? 0 : 0)), 1e-12);
  const rows = layers.map((l) => {
    const b = h('div', { class: 'bar changed' });
    b.style.width = `${Math.round(((l.relativeChange ?? 0) / peak) * 120)}px`;
    const same = l.meanAbsDiff !== undefined;
    return h('tr', { dataset: { name: l.name } },
      h('td', { class: 'name' }, l.name),
      h('td', null, same ? shape(l.shapeA) : `${shape(l.shapeA)} vs ${shape(l.shapeB)}`),
      h('td', { class: 'num' }, same ? fmt(l.meanAbsDiff!) : 'shapes differ'),
      h('td', { class: 'num' }, same ? fmt(l.maxAbsDiff!) : ''),
      h('td', { class: 'num' }, same ? `${(100 * l.relativeChange!).toPrecision(3)}%` : ''),
      h('td', { class: 'num' }, same ? l.cosine!.toFixed(6) : ''),
      h('td', null, same ? b : ''));
  });
  replaceChildren(comparison,
    h('h2', null, `Compared with ${otherName} (${basis === 'canonical' ? 'layer by layer, in one layout' : 'by tensor name'})`),
    h('div', { class: 'scroll' }, h('table', { class: 'comparison' },
      h('thead', null, h('tr', null, ...['tensor', 'shape', 'mean |Δ|', 'max |Δ|', '‖Δ‖/‖this‖', 'cosine', ''].map((c) => h('th', null, c)))),
      h('tbody', null, ...rows))),
    onlyA.length ? h('div', { class: 'meta' }, `only in this file: ${onlyA.join(', ')}`) : null,
    onlyB.length ? h('div', { class: 'meta' }, `only in ${otherName}: ${onlyB.join(', ')}`) : null);
  comparison.scrollIntoView({ behavior: 'smooth' });
}

page.onMessage((m) => {
  switch (m.type) {
    case 'progress':
      setStatus('loading', m.message ?? 'Working…');
      if (m.total) {
        bar.max = m.total;
        bar.value = m.done;
      }
      return;
    case 'report':
      render(m.report, m.fileName);
      return;
    case 'comparison':
      renderComparison(m.comparison.layers, m.comparison.basis, m.otherName, m.comparison.onlyInA, m.comparison.onlyInB);
      setStatus('done', `Compared with ${m.otherName}`);
      return;
    case 'error':
      setStatus('error', m.message);
      return;
  }
});
api.post({ type: 'ready' });
