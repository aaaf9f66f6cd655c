// The filters view. conv1: each filter as an RGB tile (the paper's figure 3). Deeper layers: each
// filter as a block of greyscale tiles, one per input channel. Scaled per filter or over the
// whole layer, zoomable; a click or the arrow keys select a filter (outlined), and "What excites this channel?" asks the
// engine for an image synthesised by gradient ascent (progress, previews, cancel).
// Ids used by the e2e tests: #status[data-state], #filters (canvas; data-layer, data-count),
// #global-scale, #zoom-select, #layer-select, #filter-detail, #synthesize, #cancel-synthesis,
// #synth-image (canvas; data-state 'running' | 'done').
import '../shared/litNonce';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-progress-bar/index.js';
import { h, replaceChildren } from '../shared/dom';
import { bootWebview } from '../shared/boot';
import type { FilterBlock, RgbaImage } from '../../protocol/engine';
import type { ConvLayerInfo, FiltersState, WebviewToHost, FiltersProtocol } from '../../protocol/webview/filters';
import { asFloat32, rgbaCanvas } from '../featuremaps/render';
import { gridKeyStep } from '../featuremaps/scales';
import { drawFilter, filterRange, filterSize, numbersTable } from './tiles';

const page = bootWebview<FiltersProtocol>();
const { api, app } = page;
const send = (m: WebviewToHost) => api.post(m);

let state: FiltersState = { globalScale: false, zoom: 0, ...api.getState() };
let layers: ConvLayerInfo[] = [];
let block: FilterBlock | undefined;
let geometry: { cols: number; pitchX: number; pitchY: number; scale: number } | undefined;
let meta = { variant: '', weightsLabel: '', untrained: false };

const saveState = () => api.setState(state);

const setStatus = page.setStatus;

function renderShell(): void {
  const layerSelect = h('vscode-single-select', { id: 'layer-select', 'aria-label': 'Layer' }) as HTMLElement & { value: string };
  for (const l of layers) layerSelect.append(h('vscode-option', { value: l.name, selected: l.name === state.layer }, `${l.name}: ${l.filters} × ${l.kernel}×${l.kernel}×${l.inChannels / l.groups}`));
  layerSelect.addEventListener('change', () => {
    state = { ...state, layer: layerSelect.value, selected: undefined };
    saveState();
    block = undefined;
    setStatus('busy', `Loading ${layerSelect.value}…`);
    send({ type: 'layer', layer: layerSelect.value });
  });
  const zoom = h('vscode-single-select', { id: 'zoom-select', 'aria-label': 'Zoom' }) as HTMLElement & { value: string };
  for (const z of [0, 1, 2, 3, 4, 6, 8, 12]) zoom.append(h('vscode-option', { value: String(z), selected: z === state.zoom }, z ? `${z}×` : 'auto'));
  zoom.addEventListener('change', () => {
    state = { ...state, zoom: Number(zoom.value) };
    saveState();
    draw();
  });
  const globalScale = h('vscode-checkbox', { id: 'global-scale', label: 'One scale for the whole layer', checked: state.globalScale }) as HTMLElement & { checked: boolean };
  globalScale.addEventListener('change', () => {
    state = { ...state, globalScale: globalScale.checked };
    saveState();
    draw();
    drawDetail();
  });
  replaceChildren(
    app,
    h(
      'header',
      null,
      h('h1', null, 'Filters'),
      h('p', { class: 'meta' }, `AlexNet ${meta.variant} · ${meta.weightsLabel}`),
      meta.untrained ? h('div', { class: 'banner', role: 'note' }, h('strong', null, 'Untrained (random weights). '), 'Random filters are noise; load trained weights to see edges and colour blobs.') : null,
      h('div', { class: 'toolbar' }, layerSelect, globalScale, h('label', { class: 'inline-label' }, 'Zoom ', zoom)),
    ),
    h('p', { id: 'status', class: 'status', role: 'status' }),
    h(
      'div',
      { class: 'maps-layout' },
      h(
        'div',
        { class: 'filters-wrap grid-wrap' },
        h('div', { class: 'tile-stack' }, h('canvas', { id: 'filters', class: 'pixelated', tabindex: '0', role: 'img', 'aria-label': 'Filters' }), h('div', { id: 'tile-highlight', class: 'tile-highlight', hidden: true })),
        h('details', { id: 'filter-numbers', class: 'numbers' }, h('summary', null, 'The filters as numbers'), h('div', { id: 'filter-numbers-table' })),
      ),
      h(
        'aside',
        { class: 'detail', id: 'filter-detail' },
        h('h2', { id: 'detail-title' }, 'Click a filter, or Tab to the filters and use the arrow keys'),
        h('canvas', { id: 'filter-large', class: 'pixelated', hidden: true }),
        h('p', { id: 'detail-meta', class: 'meta', 'aria-live': 'polite' }),
        h(
          'div',
          { class: 'synth', id: 'synth-section', hidden: true },
          h('div', { class: 'toolbar' }, h('vscode-button', { id: 'synthesize', icon: 'sparkle', disabled: true, on: { click: () => startSynthesis() } }, 'What excites this channel?'), h('vscode-button', { id: 'cancel-synthesis', icon: 'debug-stop', secondary: true, disabled: true, on: { click: () => send({ type: 'cancelSynthesis' }) } }, 'Cancel')),
          h('vscode-progress-bar', { id: 'synth-progress', hidden: true }),
          h('p', { id: 'synth-status', class: 'meta' }),
          h('canvas', { id: 'synth-image', width: '224', height: '224', hidden: true, role: 'img', 'aria-label': 'Synthesised image' }),
        ),
      ),
    ),
  );
  const canvas = document.getElementById('filters') as HTMLCanvasElement;
  canvas.addEventListener('click', (e) => {
    if (!geometry || !block) return;
    const rect = canvas.getBoundingClientRect();
    const x = ((e.clientX - rect.left) * canvas.width) / rect.width;
    const y = ((e.clientY - rect.top) * canvas.height) / rect.height;
    const col = Math.floor(x / geometry.pitchX);
    const row = Math.floor(y / geometry.pitchY);
    const f = row * geometry.cols + col;
    if (col < geometry.cols && f < block.count) selectFilter(block.start + f);
  });
  canvas.addEventListener('keydown', onGridKey);
}

/** Keys on the focused grid: arrows step the selection (Up/Down by a row), Home/End, Enter/Space select. */
function onGridKey(e: KeyboardEvent): void {
  if (!geometry || !block) return;
  const sel = state.selected;
  const at = sel !== undefined && sel >= block.start && sel < block.start + block.count ? sel - block.start : -1;
  const next = e.key === 'Enter' || e.key === ' ' ? (at < 0 ? 0 : undefined) : gridKeyStep(e.key, at, block.count, geometry.cols);
  if (next === undefined) return;
  e.preventDefault();
  selectFilter(block.start + next);
}

/** Outlines the selected tile (a box over the canvas, so the tiles are not drawn again). */
function highlight(): void {
  const box = document.getElementById('tile-highlight');
  const canvas = document.getElementById('filters') as HTMLCanvasElement | null;
  if (!box || !canvas) return;
  const f = state.selected;
  if (!geometry || !block || f === undefined || f < block.start || f >= block.start + block.count) {
    box.hidden = true;
    return;
  }
  const i = f - block.start;
  const size = filterSize(block);
  // canvas pixels to CSS pixels (the canvas may be shown smaller than it is drawn)
  const k = canvas.clientWidth / canvas.width || 1;
  box.hidden = false;
  box.style.left = `${(i % geometry.cols) * geometry.pitchX * k - 2}px`;
  box.style.top = `${Math.floor(i / geometry.cols) * geometry.pitchY * k - 2}px`;
  box.style.width = `${size.w * geometry.scale * k + 4}px`;
  box.style.height = `${size.h * geometry.scale * k + 4}px`;
  box.scrollIntoView({ block: 'nearest', inline: 'nearest' });
}

function draw(): void {
  const canvas = document.getElementById('filters') as HTMLCanvasElement | null;
  if (!canvas || !block) return;
  const b = block;
  const t0 = performance.now();
  const size = filterSize(b);
  const avail = Math.max(300, (canvas.closest('.grid-wrap')?.clientWidth ?? 800) - 8);
  const cols = b.inPerGroup === 3 ? (b.count % 12 === 0 ? 12 : 8) : Math.max(1, Math.floor(Math.sqrt(b.count * (size.h / size.w))));
  const gap = b.inPerGroup === 3 ? 2 : 3;
  const scale = state.zoom || Math.max(1, Math.floor((avail - cols * gap) / cols / size.w));
  const pitchX = size.w * scale + gap;
  const pitchY = size.h * scale + gap;
  const rows = Math.ceil(b.count / cols);
  canvas.width = cols * pitchX - gap;
  canvas.height = rows * pitchY - gap;
  const ctx = canvas.getContext('2d')!;
  const image = ctx.createImageData(canvas.width, canvas.height);
  const px = new Uint32Array(image.data.buffer);
  for (let f = 0; f < b.count; f++) drawFilter(px, canvas.width, b, f, (f % cols) * pitchX, Math.floor(f / cols) * pitchY, scale, state.globalScale);
  ctx.putImageData(image, 0, 0);
  geometry = { cols, pitchX, pitchY, scale };
  canvas.dataset.layer = b.layer;
  canvas.dataset.count = String(b.count);
  canvas.setAttribute('aria-label', `${b.count} filters of ${b.layer} in ${cols} columns. Arrow keys choose a filter; its weights are described beside the grid and in the table below.`);
  replaceChildren(document.getElementById('filter-numbers-table')!, numbersTable(b));
  highlight();
  const ms = performance.now() - t0;
  app.dataset.renderMs = ms.toFixed(1);
  setStatus('done', `${b.layer}: ${b.filters} filters of ${b.kernel}×${b.kernel}×${b.inPerGroup}${b.groups > 1 ? ` (${b.groups} groups)` : ''} · drawn in ${ms.toFixed(1)} ms`);
}

function selectFilter(f: number): void {
  state = { ...state, selected: f };
  saveState();
  drawDetail();
  highlight();
}

function drawDetail(): void {
  const b = block;
  const f = state.selected;
  const button = document.getElementById('synthesize') as HTMLElement | null;
  const canvas = document.getElementById('filter-large') as HTMLCanvasElement;
  const selected = !!b && f !== undefined && f >= b.start && f < b.start + b.count;
  // Nothing to show before a selection: no empty boxes.
  canvas.hidden = !selected;
  document.getElementById('synth-section')!.hidden = !selected;
  if (!b || f === undefined || !selected) {
    button?.setAttribute('disabled', '');
    return;
  }
  const size = filterSize(b);
  const scale = Math.max(2, Math.floor(300 / size.w));
  canvas.width = size.w * scale;
  canvas.height = size.h * scale;
  const ctx = canvas.getContext('2d')!;
  const image = ctx.createImageData(canvas.width, canvas.height);
  drawFilter(new Uint32Array(image.data.buffer), canvas.width, b, f - b.start, 0, 0, scale, state.globalScale);
  ctx.putImageData(image, 0, 0);
  canvas.dataset.filter = String(f);
  document.getElementById('detail-title')!.textContent = `${b.layer} filter ${f}`;
  const [lo, hi] = filterRange(b, f - b.start, state.globalScale);
  canvas.setAttribute('role', 'img');
  canvas.setAttribute('aria-label', `${b.layer} filter ${f}, enlarged`);
  document.getElementById('detail-meta')!.textContent = `${b.kernel}×${b.kernel}×${b.inPerGroup} · weights ${lo.toFixed(3)} … ${hi.toFixed(3)} · bias ${b.bias[f - b.start].toFixed(3)}`;
  button?.removeAttribute('disabled');
}

function startSynthesis(): void {
  if (!block || state.selected === undefined) return;
  const progress = document.getElementById('synth-progress')!;
  progress.hidden = false;
  progress.setAttribute('value', '0');
  document.getElementById('cancel-synthesis')?.removeAttribute('disabled');
  document.getElementById('synthesize')?.setAttribute('disabled', '');
  const img = document.getElementById('synth-image') as HTMLCanvasElement;
  img.hidden = false;
  img.dataset.state = 'running';
  document.getElementById('synth-status')!.textContent = `Synthesising an image for ${block.layer} channel ${state.selected}…`;
  send({ type: 'synthesize', layer: block.layer, channel: state.selected, steps: 48 });
}

function showSynth(image: RgbaImage): void {
  const canvas = document.getElementById('synth-image') as HTMLCanvasElement | null;
  if (!canvas) return;
  const src = rgbaCanvas(image);
  canvas.width = 224;
  canvas.height = 224;
  canvas.getContext('2d')!.drawImage(src, 0, 0, 224, 224);
}

function endSynthesis(text: string, done: boolean): void {
  document.getElementById('synth-progress')!.hidden = true;
  document.getElementById('cancel-synthesis')?.setAttribute('disabled', '');
  document.getElementById('synthesize')?.removeAttribute('disabled');
  document.getElementById('synth-status')!.textContent = text;
  (document.getElementById('synth-image') as HTMLCanvasElement).dataset.state = done ? 'done' : 'stopped';
}

page.onMessage((msg) => {
  switch (msg.type) {
    case 'layers':
      layers = msg.layers;
      meta = { variant: msg.variant, weightsLabel: msg.weightsLabel, untrained: msg.untrained };
      if (state.layer !== msg.layer) state = { ...state, layer: msg.layer, selected: undefined };
      saveState();
      renderShell();
      setStatus('busy', `Loading ${msg.layer}…`);
      break;
    case 'filters':
      if (msg.block.layer !== state.layer) return;
      block = { ...msg.block, weights: asFloat32(msg.block.weights), bias: asFloat32(msg.block.bias) };
      draw();
      drawDetail();
      break;
    case 'synthProgress': {
      const bar = document.getElementById('synth-progress');
      bar?.setAttribute('value', String((100 * msg.step) / msg.steps));
      const status = document.getElementById('synth-status');
      if (status) status.textContent = `${msg.layer} channel ${msg.channel}: step ${msg.step} of ${msg.steps}`;
      break;
    }
    case 'synthPreview':
      showSynth(msg.image);
      break;
    case 'synthDone':
      showSynth(msg.result.image);
      endSynthesis(`${msg.result.layer} channel ${msg.result.channel}: mean activation ${msg.result.initialActivation.toFixed(3)} → ${msg.result.finalActivation.toFixed(3)} in ${msg.result.steps} steps (${(msg.result.ms / 1000).toFixed(1)} s)`, true);
      break;
    case 'synthFailed':
      endSynthesis(msg.cancelled ? 'Cancelled.' : msg.message, false);
      break;
    case 'busy':
      setStatus('busy', msg.message);
      break;
    case 'error':
      setStatus('error', msg.message);
      break;
  }
});

setStatus('busy', 'Loading…');
send({ type: 'ready', layer: state.layer });
