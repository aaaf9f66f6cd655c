// The activation explorer side panel: the image with Grad-CAM for the chosen class, the top-5,
// a layer stepper, a channel stepper with the channel over the image, every channel of the layer
// as a small grid, and the channels that respond most to this image.
// Ids used by the e2e tests: #status[data-state], #cam-view, #layer-select, #prev-layer,
// #next-layer, #grid, #channel-view[data-channel], ol.predictions li[data-index], ul.channels li,
// #app[data-layer][data-channels][data-render-ms].
import '../shared/litNonce';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import { h, replaceChildren } from '../shared/dom';
import { bootWebview } from '../shared/boot';
import type { FeatureMaps, GradCamResult, InspectImageResult } from '../../protocol/engine';
import type { ExplorerState, WebviewToHost, ExplorerProtocol } from '../../protocol/webview/explorer';
import { asFloat32, channelAt, drawMapsGrid, drawOverlay, mapCanvas, type GridLayout } from '../featuremaps/render';

const page = bootWebview<ExplorerProtocol>();
const { api, app } = page;
document.body.classList.add('sidebar');
const send = (m: WebviewToHost) => api.post(m);

let state: ExplorerState = { sortByMean: true, ...api.getState() };
let info: InspectImageResult | undefined;
let name = '';
let maps: FeatureMaps | undefined;
let cam: GradCamResult | undefined;
let layout: GridLayout | undefined;

function saveState(): void {
  api.setState(state);
  send({ type: 'state', state });
}

function fmt(v: number): string {
  const a = Math.abs(v);
  return a >= 100 ? v.toFixed(0) : a >= 1 ? v.toFixed(2) : v.toFixed(3);
}

const setStatus = page.setStatus;

function byMean(m: FeatureMaps): number[] {
  return Array.from({ length: m.channels }, (_, i) => i).sort((a, b) => m.channelMean[b] - m.channelMean[a] || a - b);
}

function renderShell(): void {
  if (!info) return;
  const layerSelect = h('vscode-single-select', { id: 'layer-select', 'aria-label': 'Layer' }) as HTMLElement & { value: string };
  for (const l of info.layers) layerSelect.append(h('vscode-option', { value: l.name, selected: l.name === state.layer }, `${l.name} ${l.outputShape.join('×')}`));
  layerSelect.addEventListener('change', () => chooseLayer(layerSelect.value));
  replaceChildren(
    app,
    h('p', { id: 'status', class: 'status', role: 'status' }),
    h('div', { class: 'row' }, h('strong', { id: 'image-name', title: state.path ?? '' }, name), h('vscode-button', { id: 'pick-image', icon: 'file-media', secondary: true, title: 'Choose another image', on: { click: () => send({ type: 'pickImage' }) } })),
    info.untrained ? h('div', { class: 'banner', role: 'note' }, h('strong', null, 'Untrained: '), 'random weights, the activations mean nothing.') : null,
    h('canvas', { id: 'cam-view', class: 'view', width: '320', height: '320', 'aria-label': 'The image with the Grad-CAM of the selected class' }),
    h('p', { id: 'cam-caption', class: 'meta' }),
    h('h2', null, 'Top 5'),
    h(
      'ol',
      { class: 'predictions', 'aria-label': 'Top classes; choose one to see its class activation map' },
      ...info.predictions.map((p) => {
        const fill = h('div', { class: 'fill' });
        fill.style.width = `${Math.max(0, Math.min(1, p.probability)) * 100}%`;
        return h(
          'li',
          { dataset: { index: String(p.index) }, tabindex: '0', class: p.index === state.classIndex ? 'selected' : '', on: { click: () => chooseClass(p.index), keydown: (e) => e.key === 'Enter' && chooseClass(p.index) } },
          h('span', { class: 'label' }, p.label),
          h('span', { class: 'probability' }, `${(p.probability * 100).toFixed(1)}%`),
          h('div', { class: 'bar' }, fill),
        );
      }),
    ),
    h('h2', null, 'Layer'),
    h(
      'div',
      { class: 'row' },
      h('vscode-button', { id: 'prev-layer', icon: 'arrow-left', secondary: true, title: 'Previous layer', on: { click: () => stepLayer(-1) } }),
      layerSelect,
      h('vscode-button', { id: 'next-layer', icon: 'arrow-right', secondary: true, title: 'Next layer', on: { click: () => stepLayer(1) } }),
    ),
    h(
      'div',
      { class: 'row' },
      h('vscode-button', { id: 'prev-channel', icon: 'chevron-left', secondary: true, title: 'Previous channel', on: { click: () => stepChannel(-1) } }),
      h('span', { id: 'channel-label' }, 'channel —'),
      h('vscode-button', { id: 'next-channel', icon: 'chevron-right', secondary: true, title: 'Next channel', on: { click: () => stepChannel(1) } }),
      h('vscode-button', { id: 'open-panel', icon: 'link-external', secondary: true, title: 'Open every channel of this layer in an editor tab', on: { click: () => state.layer && send({ type: 'openPanel', layer: state.layer }) } }, 'Open'),
    ),
    h('canvas', { id: 'channel-view', class: 'view', width: '320', height: '320', 'aria-label': 'The selected channel over the image' }),
    h('div', { class: 'grid-wrap' }, h('canvas', { id: 'grid', class: 'pixelated', 'aria-label': 'Every channel of the layer, strongest first; click one to select it' })),
    h('p', { id: 'render-time', class: 'meta' }),
    h('h2', null, 'Strongest channels for this image'),
    h('ul', { class: 'channels', id: 'top-channels' }),
  );
  const grid = document.getElementById('grid') as HTMLCanvasElement;
  grid.addEventListener('click', (e) => {
    const c = layout && channelAt(grid, layout, e);
    if (c !== undefined) chooseChannel(c);
  });
  drawCam();
}

function chooseLayer(layer: string): void {
  if (!info || layer === state.layer) return;
  state = { ...state, layer, channel: undefined };
  saveState();
  maps = undefined;
  app.dataset.layer = layer;
  setStatus('busy', `Computing ${layer}…`);
  send({ type: 'layer', layer });
}

function stepLayer(delta: number): void {
  if (!info) return;
  const names = info.layers.map((l) => l.name);
  const next = names[Math.max(0, Math.min(names.length - 1, names.indexOf(state.layer ?? '') + delta))];
  const select = document.getElementById('layer-select') as (HTMLElement & { value: string }) | null;
  if (select) select.value = next;
  chooseLayer(next);
}

function chooseClass(classIndex: number): void {
  state = { ...state, classIndex };
  saveState();
  for (const li of document.querySelectorAll<HTMLElement>('ol.predictions li')) li.classList.toggle('selected', li.dataset.index === String(classIndex));
  setStatus('busy', 'Computing the class activation map…');
  send({ type: 'class', classIndex });
}

function chooseChannel(channel: number): void {
  state = { ...state, channel };
  saveState();
  drawChannel();
  drawTopChannels();
}

function stepChannel(delta: number): void {
  if (!maps) return;
  const order = state.sortByMean ? byMean(maps) : Array.from({ length: maps.channels }, (_, i) => i);
  const at = state.channel === undefined ? -1 : order.indexOf(state.channel);
  chooseChannel(order[Math.max(0, Math.min(order.length - 1, at + delta))]);
}

function drawCam(): void {
  const canvas = document.getElementById('cam-view') as HTMLCanvasElement | null;
  if (!canvas || !info) return;
  const caption = document.getElementById('cam-caption')!;
  if (!cam) {
    drawOverlay(canvas, info.input, undefined, 320);
    caption.textContent = '';
    return;
  }
  drawOverlay(canvas, info.input, mapCanvas(asFloat32(cam.heatmap), cam.height, cam.width, [0, 1], 255), 320, 0.5);
  canvas.dataset.classIndex = String(cam.classIndex);
  caption.textContent =
    cam.rawMax > 0
      ? `Grad-CAM (${cam.layer}) for “${cam.label}” (${(cam.probability * 100).toFixed(1)}%)`
      : `Grad-CAM (${cam.layer}): nothing in this image supports “${cam.label}”`;
}

function drawGrid(): void {
  const grid = document.getElementById('grid') as HTMLCanvasElement | null;
  if (!grid || !maps) return;
  const m = maps;
  const t0 = performance.now();
  const width = Math.max(120, grid.parentElement?.clientWidth ?? 300);
  const spatial = m.height > 1 || m.width > 1;
  const columns = spatial ? Math.max(4, Math.min(16, Math.floor(width / Math.max(m.width, 24)))) : 32;
  layout = drawMapsGrid(grid, m, {
    order: state.sortByMean ? byMean(m) : Array.from({ length: m.channels }, (_, i) => i),
    columns,
    scale: spatial ? Math.max(1, Math.floor(width / columns / m.width)) : 8,
    normalise: 'channel',
    gap: 1,
  });
  const ms = performance.now() - t0;
  app.dataset.renderMs = ms.toFixed(1);
  app.dataset.layer = m.layer;
  app.dataset.channels = String(m.channels);
  const timing = document.getElementById('render-time')!;
  timing.dataset.ms = ms.toFixed(1);
  timing.textContent = `${m.channels} maps of ${m.height}×${m.width}, drawn in ${ms.toFixed(1)} ms${m.runtime ? ` · ${m.runtime}` : ''}`;
  send({ type: 'rendered', layer: m.layer, channels: m.channels, ms });
}

function drawChannel(): void {
  const canvas = document.getElementById('channel-view') as HTMLCanvasElement | null;
  const label = document.getElementById('channel-label');
  if (!canvas || !label || !info) return;
  const c = state.channel;
  if (!maps || c === undefined || c >= maps.channels) {
    drawOverlay(canvas, info.input, undefined, 320);
    label.textContent = maps ? `${maps.channels} channels` : 'channel —';
    delete canvas.dataset.channel;
    return;
  }
  const m = maps;
  const plane = m.height * m.width;
  drawOverlay(canvas, info.input, mapCanvas(m.data.subarray(c * plane, (c + 1) * plane), m.height, m.width, [Math.min(0, m.channelMin[c]), m.channelMax[c]], 255), 320, 0.6);
  canvas.dataset.channel = String(c);
  label.textContent = `${m.layer} #${c} of ${m.channels} · max ${fmt(m.channelMax[c])}`;
}

function drawTopChannels(): void {
  const list = document.getElementById('top-channels');
  if (!list || !maps) return;
  const m = maps;
  replaceChildren(
    list,
    ...byMean(m)
      .slice(0, 8)
      .map((c) =>
        h(
          'li',
          { dataset: { channel: String(c) }, class: c === state.channel ? 'selected' : '', tabindex: '0', on: { click: () => chooseChannel(c), keydown: (e) => e.key === 'Enter' && chooseChannel(c) } },
          h('span', null, `#${c}`),
          h('span', { class: 'meta' }, `mean ${fmt(m.channelMean[c])} · max ${fmt(m.channelMax[c])}`),
        ),
      ),
  );
}

page.onMessage((msg) => {
  switch (msg.type) {
    case 'image':
      info = msg.info;
      name = msg.name;
      maps = undefined;
      cam = undefined;
      state = { ...state, ...msg.state };
      api.setState(state);
      renderShell();
      drawChannel();
      setStatus('busy', `Computing ${state.layer}…`);
      break;
    case 'maps':
      if (msg.maps.layer !== state.layer) return;
      maps = { ...msg.maps, data: asFloat32(msg.maps.data), channelMax: asFloat32(msg.maps.channelMax), channelMin: asFloat32(msg.maps.channelMin), channelMean: asFloat32(msg.maps.channelMean) };
      drawGrid();
      drawChannel();
      drawTopChannels();
      setStatus('done', `${maps.layer}: ${maps.channels} channels of ${maps.height}×${maps.width}`);
      break;
    case 'cam':
      cam = { ...msg.cam, heatmap: asFloat32(msg.cam.heatmap) };
      drawCam();
      if (maps) setStatus('done', `${maps.layer}: ${maps.channels} channels of ${maps.height}×${maps.width}`);
      break;
    case 'empty':
      replaceChildren(
        app,
        h('p', { id: 'status', class: 'status', dataset: { state: 'done' } }, 'Open an image, or choose one, to see what AlexNet makes of it.'),
        h('vscode-button', { id: 'pick-image', icon: 'file-media', on: { click: () => send({ type: 'pickImage' }) } }, 'Choose image…'),
      );
      break;
    case 'busy':
      setStatus('busy', msg.message);
      break;
    case 'error':
      setStatus('error', msg.message);
      break;
  }
});

// Redraw on width changes only: the grid's own height change must not trigger another draw.
let lastWidth = 0;
new ResizeObserver(() => {
  if (app.clientWidth === lastWidth) return;
  lastWidth = app.clientWidth;
  drawGrid();
}).observe(app);
send({ type: 'ready', state: api.getState() });
