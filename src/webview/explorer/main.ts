// The activation explorer side panel: the image with Grad-CAM for the chosen class, the top-5,
// a layer stepper, a channel stepper with the channel over the image (one opacity slider for
// both overlays, a colour legend under each), every channel of the layer as a grid that fills
// the panel's width (the tile under the pointer is named), and the strongest channels.
// Ids used by the e2e tests: #status[data-state], #cam-view, #layer-select, #prev-layer,
// #next-layer, #grid, #grid-highlight, #hover-label, #overlay-opacity, #cam-legend, #channel-legend,
// #channel-view[data-channel], ol.predictions li[data-index], ul.channels li,
// #app[data-layer][data-channels][data-render-ms].
import '../shared/litNonce';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import { h, replaceChildren } from '../shared/dom';
import { opacitySlider as sharedOpacitySlider } from '../shared/opacitySlider';
import { bootWebview } from '../shared/boot';
import type { FeatureMaps, GradCamResult, InspectImageResult } from '../../protocol/engine';
import type { ExplorerState, WebviewToHost, ExplorerProtocol } from '../../protocol/webview/explorer';
import { asFloat32, drawMapsGrid, drawOverlay, mapCanvas, type GridLayout } from '../featuremaps/render';
import { colourLegend } from '../featuremaps/legend';
import { fitGrid } from '../featuremaps/scales';
import { bindGrid, type GridControls } from '../featuremaps/gridControls';

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
let controls: GridControls | undefined;

/** Enter or Space on a list item chooses it, as a click does. */
const onActivate = (fn: () => void) => (e: KeyboardEvent) => {
  if (e.key === 'Enter' || e.key === ' ') {
    e.preventDefault();
    fn();
  }
};

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
    h('canvas', { id: 'cam-view', class: 'view', width: '320', height: '320', role: 'img', 'aria-label': 'The image with the Grad-CAM of the selected class' }),
    opacitySlider(),
    h('div', { id: 'cam-legend' }),
    h('p', { id: 'cam-caption', class: 'meta', 'aria-live': 'polite' }),
    h('h2', null, 'Top 5'),
    h(
      'ol',
      { class: 'predictions', 'aria-label': 'Top classes; choose one to see its class activation map' },
      ...info.predictions.map((p) => {
        const fill = h('div', { class: 'fill' });
        fill.style.width = `${Math.max(0, Math.min(1, p.probability)) * 100}%`;
        return h(
          'li',
          { dataset: { index: String(p.index) }, tabindex: '0', class: p.index === state.classIndex ? 'selected' : '', on: { click: () => chooseClass(p.index), keydown: onActivate(() => chooseClass(p.index)) } },
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
      h('span', { id: 'channel-label', 'aria-live': 'polite' }, 'channel —'),
      h('vscode-button', { id: 'next-channel', icon: 'chevron-right', secondary: true, title: 'Next channel', on: { click: () => stepChannel(1) } }),
      h('vscode-button', { id: 'open-panel', icon: 'link-external', secondary: true, title: 'Open every channel of this layer in an editor tab', on: { click: () => state.layer && send({ type: 'openPanel', layer: state.layer }) } }, 'Open'),
    ),
    h('canvas', { id: 'channel-view', class: 'view', width: '320', height: '320', role: 'img', 'aria-label': 'The selected channel over the image' }),
    h('div', { id: 'channel-legend' }),
    h('div', { class: 'grid-wrap' }, h('div', { class: 'tile-stack' }, h('canvas', { id: 'grid', class: 'pixelated' }), h('div', { id: 'grid-highlight', class: 'tile-highlight', hidden: true }))),
    h('p', { id: 'hover-label', class: 'meta hover-label', 'aria-hidden': 'true' }, 'Point at a tile to see its channel.'),
    h('p', { id: 'render-time', class: 'meta' }),
    h('h2', null, 'Strongest channels for this image'),
    h('ul', { class: 'channels', id: 'top-channels' }),
  );
  controls = bindGrid(document.getElementById('grid') as HTMLCanvasElement, document.getElementById('grid-highlight')!, document.getElementById('hover-label')!, {
    layout: () => layout,
    selected: () => state.channel,
    select: chooseChannel,
    describe: (c) => (maps ? `${maps.layer} #${c}: mean ${fmt(maps.channelMean[c])}, max ${fmt(maps.channelMax[c])}` : `#${c}`),
    stepLayer,
    label: () => (maps ? `Every channel of ${maps.layer}, strongest first` : 'Every channel of the layer'),
  });
  drawCam();
}

/** One opacity for both overlays (Grad-CAM and the channel): 0 shows the image alone. */
function opacitySlider(): HTMLElement {
  return sharedOpacitySlider(state.opacity ?? 0.55, 'Maps over image', (o) => {
    state = { ...state, opacity: o };
    drawCam();
    drawChannel();
  }, saveState);
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
  const legend = document.getElementById('cam-legend');
  if (!cam) {
    drawOverlay(canvas, info.input, undefined, 320);
    caption.textContent = '';
    legend?.replaceChildren();
    return;
  }
  drawOverlay(canvas, info.input, mapCanvas(asFloat32(cam.heatmap), cam.height, cam.width, [0, 1], 255), 320, state.opacity ?? 0.55);
  canvas.dataset.classIndex = String(cam.classIndex);
  // Grad-CAM is scaled to its own peak: 1 is the strongest evidence for the class in this image
  legend?.replaceChildren(colourLegend(0, 1, `Grad-CAM evidence for “${cam.label}”, share of its peak`, 'cam-legend-scale'));
  canvas.setAttribute('aria-label', `The image with the Grad-CAM of ${cam.label} (${(cam.probability * 100).toFixed(1)}%) from ${cam.layer}`);
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
  const width = Math.max(120, grid.closest('.grid-wrap')?.clientWidth ?? 300);
  const spatial = m.height > 1 || m.width > 1;
  // Tiles of about 40 px across the whole width (8 px for the 1×1 "maps" of the dense layers).
  const fit = spatial ? fitGrid(width, m.channels, 1) : fitGrid(width, m.channels, 1, 8, 4);
  layout = drawMapsGrid(grid, m, {
    order: state.sortByMean ? byMean(m) : Array.from({ length: m.channels }, (_, i) => i),
    columns: fit.columns,
    scale: 1,
    tile: fit.tile,
    normalise: 'channel',
    gap: 1,
  });
  const ms = performance.now() - t0;
  app.dataset.renderMs = ms.toFixed(1);
  app.dataset.layer = m.layer;
  app.dataset.channels = String(m.channels);
  const timing = document.getElementById('render-time')!;
  timing.dataset.ms = ms.toFixed(1);
  timing.textContent = `${m.channels} maps of ${m.height}×${m.width}, strongest first, each on its own scale · drawn in ${ms.toFixed(1)} ms${m.runtime ? ` · ${m.runtime}` : ''}`;
  controls?.refresh();
  send({ type: 'rendered', layer: m.layer, channels: m.channels, ms });
}

function drawChannel(): void {
  const canvas = document.getElementById('channel-view') as HTMLCanvasElement | null;
  const label = document.getElementById('channel-label');
  if (!canvas || !label || !info) return;
  const c = state.channel;
  const legend = document.getElementById('channel-legend');
  controls?.refresh();
  if (!maps || c === undefined || c >= maps.channels) {
    drawOverlay(canvas, info.input, undefined, 320);
    label.textContent = maps ? `${maps.channels} channels` : 'channel —';
    delete canvas.dataset.channel;
    legend?.replaceChildren();
    return;
  }
  const m = maps;
  const plane = m.height * m.width;
  const range: [number, number] = [Math.min(0, m.channelMin[c]), m.channelMax[c]];
  drawOverlay(canvas, info.input, mapCanvas(m.data.subarray(c * plane, (c + 1) * plane), m.height, m.width, range, 255), 320, state.opacity ?? 0.55);
  legend?.replaceChildren(colourLegend(range[0], range[1], `${m.layer} #${c} activation`, 'channel-legend-scale'));
  canvas.setAttribute('aria-label', `${m.layer} channel ${c} over the image: max ${fmt(m.channelMax[c])}, mean ${fmt(m.channelMean[c])}`);
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
          { dataset: { channel: String(c) }, class: c === state.channel ? 'selected' : '', tabindex: '0', on: { click: () => chooseChannel(c), keydown: onActivate(() => chooseChannel(c)) } },
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
