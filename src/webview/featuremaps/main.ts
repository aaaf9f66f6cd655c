// The feature-maps view: every channel of one layer as a heat-map grid (one canvas, one
// ImageData), optionally sorted by mean activation, each captioned with its index and what it is
// sorted by; a click or the arrow keys show the channel large over the input image, with an
// opacity slider and a colour legend.
// Ids used by the e2e tests: #status ('busy' | 'done' | 'error'), #grid (canvas), #render-time
// (text; data-ms), #layer-select, #detail (canvas), #overlay-opacity, #detail-legend, #grid-legend,
// #grid-highlight, #hover-label, #app[data-render-ms][data-layer][data-channels].
import '../shared/litNonce';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import { h, replaceChildren } from '../shared/dom';
import { opacitySlider as sharedOpacitySlider } from '../shared/opacitySlider';
import { bootWebview } from '../shared/boot';
import type { FeatureMaps } from '../../protocol/engine';
import type { FeatureMapsImage, FeatureMapsState, WebviewToHost, FeatureMapsProtocol } from '../../protocol/webview/featuremaps';
import { asFloat32, drawMapsGrid, drawOverlay, layerRange, mapCanvas, type GridLayout } from './render';
import { colourLegend } from './legend';
import { bindGrid, channelTable, type GridControls } from './gridControls';

const page = bootWebview<FeatureMapsProtocol>();
const { api, app } = page;
const send = (m: WebviewToHost) => api.post(m);

let state: FeatureMapsState = { sortByMean: true, normalise: 'channel', zoom: 0, ...api.getState() };
let image: FeatureMapsImage | undefined;
let maps: FeatureMaps | undefined;
let layout: GridLayout | undefined;
let controls: GridControls | undefined;

const saveState = () => api.setState(state);

// Read once (and on theme changes): getComputedStyle inside the timed draw would force a style pass.
const themeCache = new Map<string, string>();
function themeColor(name: string, fallback: string): string {
  let v = themeCache.get(name);
  if (v === undefined) themeCache.set(name, (v = getComputedStyle(document.body).getPropertyValue(name).trim()));
  return v || fallback;
}
new MutationObserver(() => themeCache.clear()).observe(document.body, { attributes: true, attributeFilter: ['class'] });

function setStatus(kind: 'busy' | 'done' | 'error', text: string): void {
  const el = document.getElementById('status');
  if (!el) return;
  el.dataset.state = kind;
  el.textContent = text;
  el.setAttribute('role', kind === 'error' ? 'alert' : 'status');
}

function fmt(v: number): string {
  const a = Math.abs(v);
  return a >= 100 ? v.toFixed(0) : a >= 1 ? v.toFixed(2) : v.toFixed(3);
}

function layerSelect(info: FeatureMapsImage['info'], current: string): HTMLElement {
  const select = h('vscode-single-select', { id: 'layer-select', 'aria-label': 'Layer' }) as HTMLElement & { value: string };
  for (const l of info.layers) {
    const opt = h('vscode-option', { value: l.name, selected: l.name === current }, `${l.name} (${l.outputShape.join('×')})`);
    select.append(opt);
  }
  select.addEventListener('change', () => chooseLayer(select.value));
  return select;
}

function chooseLayer(layer: string): void {
  if (!image || layer === state.layer) return;
  state = { ...state, layer, selected: undefined };
  saveState();
  app.dataset.layer = layer;
  setStatus('busy', `Computing ${layer}…`);
  // the large view and its caption belong to the old layer's channel: clear them now
  const detail = document.getElementById('detail') as HTMLCanvasElement | null;
  if (detail && image) drawOverlay(detail, image.info.input, undefined, 320);
  document.getElementById('detail-legend')?.replaceChildren();
  if (detail) delete detail.dataset.channel;
  const caption = document.getElementById('detail-caption');
  if (caption) caption.textContent = `${layer}: computing…`;
  send({ type: 'layer', layer });
}

function stepLayer(delta: number): void {
  if (!image) return;
  const names = image.info.layers.map((l) => l.name);
  const i = names.indexOf(state.layer ?? '');
  const next = names[Math.max(0, Math.min(names.length - 1, i + delta))];
  const select = document.getElementById('layer-select') as (HTMLElement & { value: string }) | null;
  if (select) select.value = next;
  chooseLayer(next);
}

function checkbox(id: string, label: string, checked: boolean, onChange: (checked: boolean) => void): HTMLElement {
  const box = h('vscode-checkbox', { id, label, checked }) as HTMLElement & { checked: boolean };
  box.addEventListener('change', () => onChange(box.checked));
  return box;
}

function renderShell(): void {
  if (!image) return;
  const info = image.info;
  const zoomSelect = h('vscode-single-select', { id: 'zoom-select', 'aria-label': 'Zoom' }) as HTMLElement & { value: string };
  for (const z of [0, 1, 2, 3, 4, 6, 8]) zoomSelect.append(h('vscode-option', { value: String(z), selected: z === state.zoom }, z ? `${z}×` : 'fit'));
  zoomSelect.addEventListener('change', () => {
    state = { ...state, zoom: Number(zoomSelect.value) };
    saveState();
    drawGrid();
  });
  replaceChildren(
    app,
    h(
      'header',
      null,
      h('h1', null, `Feature maps · ${image.name}`),
      h('p', { class: 'meta' }, `${info.weightsLabel} · top class: ${info.predictions[0] ? `${info.predictions[0].label} (${(info.predictions[0].probability * 100).toFixed(1)}%)` : '—'}`),
      info.untrained ? h('div', { class: 'banner', role: 'note' }, h('strong', null, 'Untrained (random weights). '), 'These activations come from random weights.') : null,
      h(
        'div',
        { class: 'toolbar' },
        h('vscode-button', { id: 'prev-layer', icon: 'arrow-left', secondary: true, title: 'Previous layer', on: { click: () => stepLayer(-1) } }),
        layerSelect(info, state.layer ?? ''),
        h('vscode-button', { id: 'next-layer', icon: 'arrow-right', secondary: true, title: 'Next layer', on: { click: () => stepLayer(1) } }),
        checkbox('sort-by-mean', 'Sort by mean activation', state.sortByMean, (c) => {
          state = { ...state, sortByMean: c };
          saveState();
          drawGrid();
        }),
        checkbox('layer-scale', 'One colour scale for the layer', state.normalise === 'layer', (c) => {
          state = { ...state, normalise: c ? 'layer' : 'channel' };
          saveState();
          drawGrid();
          drawDetail();
        }),
        h('label', { class: 'inline-label' }, 'Zoom ', zoomSelect),
        h('vscode-button', { id: 'pick-image', icon: 'file-media', secondary: true, on: { click: () => send({ type: 'pickImage' }) } }, 'Choose image…'),
      ),
    ),
    h('p', { id: 'status', class: 'status', role: 'status' }),
    h(
      'div',
      { class: 'maps-layout' },
      h(
        'div',
        { class: 'grid-wrap' },
        h('div', { class: 'tile-stack' }, h('canvas', { id: 'grid', class: 'pixelated' }), h('div', { id: 'grid-highlight', class: 'tile-highlight', hidden: true })),
        h('p', { id: 'hover-label', class: 'meta hover-label', 'aria-hidden': 'true' }),
        h('div', { id: 'grid-legend' }),
        h('p', { id: 'render-time', class: 'meta' }),
        h('div', { id: 'grid-numbers' }),
      ),
      h(
        'aside',
        { class: 'detail' },
        h('canvas', { id: 'detail', width: '320', height: '320', role: 'img', 'aria-label': 'The input image' }),
        opacitySlider(),
        h('div', { id: 'detail-legend' }),
        h('p', { id: 'detail-caption', class: 'meta', 'aria-live': 'polite' }, 'Click a channel (or Tab to the grid and use the arrow keys) to see it over the image.'),
      ),
    ),
  );
  const grid = document.getElementById('grid') as HTMLCanvasElement;
  controls = bindGrid(grid, document.getElementById('grid-highlight')!, document.getElementById('hover-label')!, {
    layout: () => layout,
    selected: () => state.selected,
    select: (c) => {
      state = { ...state, selected: c };
      saveState();
      drawDetail();
    },
    describe: (c) => (maps ? `#${c}: mean ${fmt(maps.channelMean[c])}, max ${fmt(maps.channelMax[c])}` : `#${c}`),
    stepLayer,
    label: () => (maps ? `${maps.channels} activation maps of ${maps.layer}` : 'Activation maps'),
  });
  window.addEventListener('resize', () => drawGrid(), { once: true });
}

/** The large view's map opacity over the image: 0 shows the image alone, 100 the map alone. */
function opacitySlider(): HTMLElement {
  return sharedOpacitySlider(state.opacity ?? 0.6, 'Map over image', (o) => {
    state = { ...state, opacity: o };
    saveState();
    drawDetail();
  });
}

function channelOrder(m: FeatureMaps): number[] {
  const order = Array.from({ length: m.channels }, (_, i) => i);
  if (state.sortByMean) order.sort((a, b) => m.channelMean[b] - m.channelMean[a] || a - b);
  return order;
}

/** Draws the grid and reports how long it took (also to the host, for the tests). */
function drawGrid(): void {
  const grid = document.getElementById('grid') as HTMLCanvasElement | null;
  if (!grid || !maps) return;
  const m = maps;
  const t0 = performance.now();
  // From the window size, not the element's: reading layout here would force one mid-draw.
  const wrapWidth = Math.max(200, (window.innerWidth >= 720 ? window.innerWidth - 32 - 336 : window.innerWidth - 32) - 4);
  const spatial = m.height > 1 || m.width > 1;
  // Fit: the largest integer zoom that keeps at least ~8 columns in view.
  const fitZoom = Math.max(1, Math.floor(wrapWidth / 8 / (m.width + 2)));
  const scale = spatial ? state.zoom || Math.min(fitZoom, Math.max(1, Math.floor(64 / m.width))) : 12;
  const tileW = m.width * scale;
  const columns = Math.max(1, Math.floor((wrapWidth + 2) / (Math.max(tileW, spatial ? 40 : tileW) + 2)));
  layout = drawMapsGrid(grid, m, {
    order: channelOrder(m),
    columns,
    scale,
    normalise: state.normalise,
    gap: 2,
    captionHeight: spatial && tileW >= 36 ? 12 : 0,
    // label each tile with what the grid is ordered by (the mean when sorted, else the max)
    caption: (c) => `#${c} ${fmt(state.sortByMean ? m.channelMean[c] : m.channelMax[c])}`,
    captionColor: themeColor('--vscode-descriptionForeground', '#888'),
    captionFont: `10px ${themeColor('--vscode-font-family', 'sans-serif')}`,
  });
  const ms = performance.now() - t0;
  app.dataset.renderMs = ms.toFixed(1);
  app.dataset.channels = String(m.channels);
  app.dataset.layer = m.layer;
  controls?.refresh();
  const [lo, hi] = layerRange(m);
  document.getElementById('grid-legend')!.replaceChildren(
    state.normalise === 'layer' ? colourLegend(lo, hi, `${m.layer} activation (one scale for the layer)`, 'grid-legend-scale') : colourLegend(0, 1, 'share of each map’s own maximum (each map on its own scale)', 'grid-legend-scale'),
  );
  document.getElementById('grid-numbers')!.replaceChildren(channelTable(m, layout.order, fmt));
  const timing = document.getElementById('render-time')!;
  timing.dataset.ms = ms.toFixed(1);
  const order = state.sortByMean ? 'sorted by mean activation, labelled #channel mean' : 'in channel order, labelled #channel max';
  const base = `${m.channels} maps of ${m.height}×${m.width}, ${order} · drawn in ${ms.toFixed(1)} ms · engine ${m.ms} ms${m.runtime ? ` (${m.runtime})` : ''}`;
  timing.textContent = base;
  timing.dataset.order = state.sortByMean ? 'mean' : 'channel';
  // Also the time until the frame with the grid is on screen (layout and paint included).
  requestAnimationFrame(() =>
    setTimeout(() => {
      const frameMs = performance.now() - t0;
      app.dataset.frameMs = frameMs.toFixed(1);
      timing.dataset.frameMs = frameMs.toFixed(1);
      // from this draw's own text: a second draw before this frame must not repeat the suffix
      if (timing.dataset.ms === ms.toFixed(1)) timing.textContent = `${base} · on screen after ${frameMs.toFixed(0)} ms`;
      send({ type: 'rendered', layer: m.layer, channels: m.channels, ms, frameMs });
    }, 0),
  );
}

function drawDetail(): void {
  const canvas = document.getElementById('detail') as HTMLCanvasElement | null;
  if (!canvas || !image) return;
  const caption = document.getElementById('detail-caption')!;
  const legend = document.getElementById('detail-legend');
  const c = state.selected;
  controls?.refresh();
  if (!maps || c === undefined || c >= maps.channels) {
    drawOverlay(canvas, image.info.input, undefined, 320);
    legend?.replaceChildren();
    canvas.setAttribute('aria-label', `The input image ${image.name}`);
    // no stale "conv1 channel 11" under another layer
    caption.textContent = maps ? `${maps.layer}: click a map to see it over the image` : '';
    delete canvas.dataset.channel;
    return;
  }
  const m = maps;
  const plane = m.height * m.width;
  const range: [number, number] = state.normalise === 'layer' ? layerRange(m) : [Math.min(0, m.channelMin[c]), m.channelMax[c]];
  const opacity = state.opacity ?? 0.6;
  drawOverlay(canvas, image.info.input, mapCanvas(m.data.subarray(c * plane, (c + 1) * plane), m.height, m.width, range, 255), 320, opacity);
  legend?.replaceChildren(colourLegend(range[0], range[1], `${m.layer} #${c} activation${state.normalise === 'layer' ? ' (layer scale)' : ''}`, 'detail-legend-scale'));
  caption.textContent = `${m.layer} channel ${c} · max ${fmt(m.channelMax[c])} · mean ${fmt(m.channelMean[c])}`;
  canvas.setAttribute('aria-label', `${m.layer} channel ${c} at ${Math.round(opacity * 100)}% over the image ${image.name}: max ${fmt(m.channelMax[c])}, mean ${fmt(m.channelMean[c])}`);
  canvas.dataset.channel = String(c);
}

function normaliseMaps(m: FeatureMaps): FeatureMaps {
  return { ...m, data: asFloat32(m.data), channelMax: asFloat32(m.channelMax), channelMin: asFloat32(m.channelMin), channelMean: asFloat32(m.channelMean) };
}

page.onMessage((msg) => {
  switch (msg.type) {
    case 'image':
      image = msg.image;
      maps = undefined;
      state = { ...state, path: msg.image.path, layer: msg.layer, selected: state.path === msg.image.path ? state.selected : undefined };
      saveState();
      renderShell();
      drawDetail();
      setStatus('busy', `Computing ${msg.layer}…`);
      break;
    case 'maps':
      if (msg.maps.layer !== state.layer) return; // an answer the user has moved past
      maps = normaliseMaps(msg.maps);
      drawGrid();
      drawDetail();
      setStatus('done', `${maps.layer}: ${maps.channels} channels, ${maps.height}×${maps.width}`);
      break;
    case 'busy':
      if (!image) replaceChildren(app, h('p', { id: 'status', class: 'status' }));
      setStatus('busy', msg.message);
      break;
    case 'error':
      if (!document.getElementById('status')) replaceChildren(app, h('p', { id: 'status', class: 'status' }));
      setStatus('error', msg.message);
      break;
  }
});

replaceChildren(app, h('p', { id: 'status', class: 'status', role: 'status' }, 'Loading…'));
send({ type: 'ready' });
