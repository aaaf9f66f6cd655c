// The project view: a folder's images on one map (PCA at once, then UMAP), coloured by class
// folder or predicted class. Wheel or +/- zooms, drag or the arrow keys pan, hover shows the
// top-5, a click shows an image's details (Open Image, Feature Maps), a double click opens it,
// Shift+drag (or the Lasso button) selects a region whose paths can be saved or copied.
// Ids used by the e2e tests: #plot (canvas), #status[data-state], #app[data-points][data-method]
// [data-render-ms][data-mode][data-selected], #legend, #details, #tooltip, #export, #copy.
import { h, replaceChildren } from '../shared/dom';
import { bootWebview } from '../shared/boot';
import type { ProjectProtocol, ProjectView, ProjectWebviewState, WebviewToHost } from '../../protocol/webview/project';
import { fitView, GridIndex, lerpCoords, pointsInPolygon, toScreen, toWorld, zoomAt, type View } from './geometry';
import { colourBy, OTHER_COLOUR, type Colouring } from './colours';
import { Scatter } from './scatter';
import { asFloat32, asUint8 } from '../shared/typedArrays';

type State = ProjectWebviewState;
const page = bootWebview<ProjectProtocol>();
const { api, app } = page;
const send = (m: WebviewToHost) => api.post(m);
const state: State = { colour: 'folder', thumbnails: true, ...api.getState() };

let data: ProjectView | undefined;
let pca: Float32Array = new Float32Array(0);
let umap: Float32Array | undefined;
let method: 'pca' | 'umap' = 'pca';
let shown: Float32Array = new Float32Array(0);
let grid: GridIndex | undefined;
let view: View = { scale: 1, tx: 0, ty: 0 };
let colouring: Colouring | undefined;
let lassoMode = false;
let animation: number | undefined;

const css = (name: string, fallback: string) => getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;
function style() {
  return {
    background: css('--vscode-editor-background', '#1e1e1e'),
    selection: css('--vscode-focusBorder', '#007fd4'),
    hover: css('--vscode-editor-foreground', '#ffffff'),
    other: OTHER_COLOUR,
  };
}

const canvas = h('canvas', { id: 'plot', tabindex: '0', role: 'img', 'aria-label': 'Map of the folder’s images' }) as HTMLCanvasElement;
const scatter = new Scatter(canvas, style());
new MutationObserver(() => {
  scatter.style = style();
  redraw();
}).observe(document.body, { attributes: true, attributeFilter: ['class'] });

const tooltip = h('div', { id: 'tooltip', class: 'tooltip', role: 'tooltip', hidden: true });
const statusEl = h('div', { id: 'status', class: 'status', role: 'status', 'aria-live': 'polite' });
const legendEl = h('div', { id: 'legend', class: 'legend' });
const detailsEl = h('div', { id: 'details', class: 'details' });
const selectionEl = h('span', { id: 'selection-count' }, 'No selection');

function setStatus(message: string, kind: 'busy' | 'done' | 'error'): void {
  statusEl.textContent = message;
  statusEl.dataset.state = kind;
}

function selectedPaths(): string[] {
  if (!data) return [];
  return data.points.filter((_, i) => scatter.selected[i]).map((p) => p.path);
}

function updateSelection(): void {
  const n = selectedPaths().length;
  selectionEl.textContent = n ? `${n} selected` : 'No selection';
  app.dataset.selected = String(n);
  for (const id of ['export', 'copy', 'clear']) (document.getElementById(id) as HTMLButtonElement | null)?.toggleAttribute('disabled', n === 0);
  redraw();
}

function classLabel(i: number): string {
  if (!data) return '';
  const p = data.points[i];
  return p.folderClass >= 0 ? data.folderClasses[p.folderClass] : '(top folder)';
}

function recolour(): void {
  if (!data) return;
  const d = data;
  const byFolder = state.colour === 'folder' && d.folderClasses.length > 0;
  colouring = byFolder
    ? colourBy(d.points.length, (i) => d.points[i].folderClass, (k) => d.folderClasses[k])
    : colourBy(d.points.length, (i) => d.points[i].top[0]?.index ?? -1, (k) => d.classNames[k] ?? `class ${k}`);
  scatter.group = colouring.group;
  scatter.colours = colouring.legend.map((l) => l.colour);
  const items = colouring.legend.map((l, g) =>
    h('li', {}, h('button', {
      class: 'legend-item', title: `Select the ${l.count} images of ${l.label}`,
      on: { click: () => { scatter.selected = Uint8Array.from(scatter.group, (x) => (x === g ? 1 : 0)); updateSelection(); } },
    }, h('span', { class: 'swatch', dataset: { colour: l.colour } }), h('span', { class: 'legend-label' }, l.label), h('span', { class: 'count' }, String(l.count)))),
  );
  if (colouring.otherCount) items.push(h('li', {}, h('span', { class: 'legend-item' }, h('span', { class: 'swatch', dataset: { colour: OTHER_COLOUR } }), h('span', { class: 'legend-label' }, byFolder ? '(top folder)' : 'other classes'), h('span', { class: 'count' }, String(colouring.otherCount)))));
  replaceChildren(legendEl, h('h2', {}, byFolder ? 'Class folders' : 'Predicted classes'), h('ul', { class: 'legend-list' }, ...items));
  // colours set through the CSSOM (the CSP forbids style attributes)
  legendEl.querySelectorAll<HTMLElement>('.swatch').forEach((s) => (s.style.background = s.dataset.colour ?? ''));
  redraw();
}

let frame: number | undefined;
let lastReport = 0;
/** frames drawn since the view came (the e2e tests read it) */
let frames = 0;
function redraw(): void {
  if (frame !== undefined) return;
  frame = requestAnimationFrame(() => {
    frame = undefined;
    if (!data) return;
    const stats = scatter.draw(view);
    app.dataset.renderMs = stats.ms.toFixed(1);
    // kept in the attribute, so a test can reset it before it measures
    app.dataset.renderMaxMs = Math.max(Number(app.dataset.renderMaxMs ?? 0) || 0, stats.ms).toFixed(1);
    app.dataset.renderTotalMs = ((Number(app.dataset.renderTotalMs ?? 0) || 0) + stats.ms).toFixed(1);
    app.dataset.frames = String(++frames);
    app.dataset.mode = stats.mode;
    // 'moving' while a new layout animates in (the focus position below is the old layout's then)
    app.dataset.layout = animation === undefined ? 'still' : 'moving';
    // where the focused point is (CSS px in the canvas), so tests can hover and click it
    if (scatter.focus >= 0) {
      const [fx, fy] = toScreen(view, shown[scatter.focus * 2], shown[scatter.focus * 2 + 1]);
      canvas.dataset.focusX = fx.toFixed(1);
      canvas.dataset.focusY = fy.toFixed(1);
      canvas.dataset.focus = String(scatter.focus);
    }
    const now = performance.now();
    if (now - lastReport > 300) {
      lastReport = now;
      send({ type: 'rendered', points: stats.drawn, ms: stats.ms, mode: stats.mode });
    }
  });
}

function setCoords(target: Float32Array, animate: boolean): void {
  if (animation !== undefined) cancelAnimationFrame(animation);
  animation = undefined;
  const from = shown;
  const done = () => {
    shown = target;
    scatter.coords = target;
    grid = new GridIndex(target);
    redraw();
  };
  if (!animate || from.length !== target.length || matchMedia('(prefers-reduced-motion: reduce)').matches) return done();
  const t0 = performance.now();
  app.dataset.layout = 'moving';
  const step = () => {
    const t = Math.min(1, (performance.now() - t0) / 450);
    const eased = t * t * (3 - 2 * t);
    scatter.coords = lerpCoords(from, target, eased);
    scatter.draw(view);
    if (t < 1) animation = requestAnimationFrame(step);
    else {
      animation = undefined;
      done();
    }
  };
  animation = requestAnimationFrame(step);
}

function fit(): void {
  view = fitView(canvas.clientWidth, canvas.clientHeight);
  redraw();
}

function pointAt(e: MouseEvent): number {
  if (!grid) return -1;
  const r = canvas.getBoundingClientRect();
  const [x, y] = toWorld(view, e.clientX - r.left, e.clientY - r.top);
  const radius = Math.max(6, scatter.pointSize(view) / 2 + 2) / view.scale;
  return grid.nearest(x, y, scatter.mode(view) === 'thumbnails' ? radius : Math.max(8, 4) / view.scale);
}

function topList(i: number, count = 5): HTMLElement {
  const d = data!;
  return h('ol', { class: 'top5' }, ...d.points[i].top.slice(0, count).map((t) => h('li', {}, h('span', { class: 'label' }, d.classNames[t.index] ?? `class ${t.index}`), h('span', { class: 'prob' }, `${(t.probability * 100).toFixed(1)}%`))));
}

function showTooltip(i: number, e: MouseEvent): void {
  if (i < 0 || !data) {
    tooltip.hidden = true;
    return;
  }
  replaceChildren(tooltip, h('div', { class: 'rel' }, data.points[i].rel), h('div', { class: 'meta' }, classLabel(i)), topList(i));
  tooltip.hidden = false;
  const wrap = canvas.parentElement!.getBoundingClientRect();
  const x = e.clientX - wrap.left + 14;
  const y = e.clientY - wrap.top + 14;
  tooltip.style.left = `${Math.min(x, wrap.width - 260)}px`;
  tooltip.style.top = `${Math.min(y, wrap.height - 150)}px`;
}

function showDetails(i: number): void {
  if (!data || i < 0) return;
  const p = data.points[i];
  scatter.focus = i;
  const big = h('canvas', { class: 'thumb-large', width: String(data.thumbSize), height: String(data.thumbSize), role: 'img', 'aria-label': `Thumbnail of ${p.rel}` }) as HTMLCanvasElement;
  const ctx = big.getContext('2d')!;
  const img = ctx.createImageData(data.thumbSize, data.thumbSize);
  const th = data.thumbnails;
  const base = i * data.thumbSize * data.thumbSize * 3;
  for (let k = 0; k < data.thumbSize * data.thumbSize; k++) {
    img.data[k * 4] = th[base + k * 3];
    img.data[k * 4 + 1] = th[base + k * 3 + 1];
    img.data[k * 4 + 2] = th[base + k * 3 + 2];
    img.data[k * 4 + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
  replaceChildren(
    detailsEl,
    h('h2', {}, p.rel),
    big,
    h('div', { class: 'meta' }, `folder: ${classLabel(i)}`),
    topList(i),
    h('div', { class: 'row' },
      h('button', { id: 'open-image', on: { click: () => send({ type: 'open', path: p.path }) } }, 'Open Image'),
      h('button', { id: 'open-maps', class: 'secondary', on: { click: () => send({ type: 'featureMaps', path: p.path }) } }, 'Feature Maps')),
  );
  redraw();
}

function render(d: ProjectView): void {
  data = d;
  frames = 0;
  app.dataset.renderMaxMs = '0';
  app.dataset.renderTotalMs = '0';
  pca = asFloat32(d.coords);
  umap = d.method === 'umap' ? pca : undefined;
  if (d.method === 'umap') method = 'umap';
  const thumbs = asUint8(d.thumbnails);
  data.thumbnails = thumbs;
  shown = pca;
  scatter.showThumbnails = state.thumbnails;
  scatter.setPoints(pca, thumbs, d.thumbSize);
  scatter.selected = new Uint8Array(d.points.length);
  scatter.focus = -1;
  scatter.hover = -1;
  delete canvas.dataset.focus;
  replaceChildren(detailsEl, h('p', { class: 'meta' }, 'Click a point (or press N) for its details.'));
  grid = new GridIndex(pca);
  app.dataset.points = String(d.points.length);
  app.dataset.method = d.method;
  const s = d.stats;
  const colourSelect = h('select', { id: 'colour-by', 'aria-label': 'Colour points by', on: { change: (e) => { state.colour = (e.target as HTMLSelectElement).value as State['colour']; api.setState(state); recolour(); } } },
    h('option', { value: 'folder', disabled: d.folderClasses.length === 0 }, 'class folder'),
    h('option', { value: 'predicted' }, 'predicted class'));
  if (!d.folderClasses.length) state.colour = 'predicted';
  colourSelect.value = state.colour;
  const layoutSelect = h('select', { id: 'layout-method', 'aria-label': 'Layout', on: { change: (e) => {
    method = (e.target as HTMLSelectElement).value as 'pca' | 'umap';
    app.dataset.method = method;
    if (method === 'pca') setCoords(pca, true);
    else if (umap) setCoords(umap, true);
    else send({ type: 'layout', method: 'umap' });
  } } }, h('option', { value: 'pca' }, `PCA (${((d.explained[0] + d.explained[1]) * 100).toFixed(0)}% of the variance)`), h('option', { value: 'umap' }, 'UMAP'));
  layoutSelect.value = method;
  const thumbBox = h('input', { type: 'checkbox', id: 'thumbnails', checked: state.thumbnails, on: { change: (e) => { state.thumbnails = (e.target as HTMLInputElement).checked; scatter.showThumbnails = state.thumbnails; api.setState(state); redraw(); } } });
  const lassoButton = h('button', { id: 'lasso', class: 'secondary', 'aria-pressed': 'false', title: 'Draw around points to select them (or Shift+drag)', on: { click: () => { lassoMode = !lassoMode; lassoButton.setAttribute('aria-pressed', String(lassoMode)); canvas.classList.toggle('lasso', lassoMode); } } }, 'Lasso');
  canvas.setAttribute('aria-label', `Map of ${d.points.length} images of ${d.folder} by their ${d.layer} features (${d.method.toUpperCase()}); the legend lists the classes with their counts`);
  replaceChildren(
    app,
    h('header', {},
      h('h1', {}, d.title),
      h('div', { class: 'meta' }, `${s.images} images · ${d.variant} · ${d.weightsLabel} · ${d.layer} (${d.dims} values) · ${d.runtime} · ${s.computed} computed, ${s.cached} from the cache · ${(s.ms / 1000).toFixed(1)} s${s.failed ? ` · ${s.failed} unreadable` : ''}`),
      d.untrained ? h('div', { class: 'banner' }, 'Untrained (random) weights: the map groups images by colour and texture, not by what they show.') : null),
    h('div', { class: 'toolbar' },
      h('label', { class: 'inline-label' }, 'Colour by ', colourSelect),
      h('label', { class: 'inline-label' }, 'Layout ', layoutSelect),
      h('label', { class: 'inline-label' }, thumbBox, ' Thumbnails'),
      h('button', { id: 'fit', class: 'secondary', title: 'Show every point (0)', on: { click: fit } }, 'Fit'),
      lassoButton,
      selectionEl,
      h('button', { id: 'export', disabled: true, on: { click: () => send({ type: 'exportPaths', paths: selectedPaths() }) } }, 'Save Paths…'),
      h('button', { id: 'copy', class: 'secondary', disabled: true, on: { click: () => send({ type: 'copyPaths', paths: selectedPaths() }) } }, 'Copy Paths'),
      h('button', { id: 'clear', class: 'secondary', disabled: true, on: { click: () => { scatter.selected.fill(0); updateSelection(); } } }, 'Clear')),
    statusEl,
    h('div', { class: 'project-main' },
      h('div', { class: 'plot-wrap' }, canvas, tooltip),
      h('aside', { class: 'side' }, legendEl, detailsEl,
        d.failures.length ? h('details', { class: 'failures' }, h('summary', {}, `${d.failures.length} unreadable`), h('ul', {}, ...d.failures.map((f) => h('li', {}, h('b', {}, f.rel), ` ${f.error}`)))) : null)),
  );
  requestAnimationFrame(() => {
    fit();
    recolour();
    updateSelection();
  });
}

// Pointer: drag pans, Shift+drag (or lasso mode) selects, wheel zooms about the cursor.
let drag: { x: number; y: number; view: View; lasso: boolean; moved: boolean } | undefined;
canvas.addEventListener('pointerdown', (e) => {
  canvas.setPointerCapture(e.pointerId);
  drag = { x: e.clientX, y: e.clientY, view, lasso: lassoMode || e.shiftKey, moved: false };
  if (drag.lasso) scatter.lasso = [];
});
canvas.addEventListener('pointermove', (e) => {
  const r = canvas.getBoundingClientRect();
  if (drag) {
    if (Math.hypot(e.clientX - drag.x, e.clientY - drag.y) > 3) drag.moved = true;
    if (drag.lasso) scatter.lasso.push(e.clientX - r.left, e.clientY - r.top);
    else view = { ...drag.view, tx: drag.view.tx + e.clientX - drag.x, ty: drag.view.ty + e.clientY - drag.y };
    tooltip.hidden = true;
    redraw();
    return;
  }
  const i = pointAt(e);
  if (i !== scatter.hover) {
    scatter.hover = i;
    redraw();
  }
  showTooltip(i, e);
});
canvas.addEventListener('pointerup', (e) => {
  const d = drag;
  drag = undefined;
  if (!d) return;
  if (d.lasso && d.moved && scatter.lasso.length >= 6) {
    const poly: number[] = [];
    for (let k = 0; k < scatter.lasso.length; k += 2) poly.push(...toWorld(view, scatter.lasso[k], scatter.lasso[k + 1]));
    const inside = pointsInPolygon(shown, poly);
    if (!(e.ctrlKey || e.metaKey)) scatter.selected.fill(0);
    for (const i of inside) scatter.selected[i] = 1;
    scatter.lasso = [];
    updateSelection();
    return;
  }
  scatter.lasso = [];
  if (!d.moved) showDetails(pointAt(e));
  redraw();
});
canvas.addEventListener('pointerleave', () => {
  scatter.hover = -1;
  tooltip.hidden = true;
  redraw();
});
canvas.addEventListener('dblclick', (e) => {
  const i = pointAt(e);
  if (i >= 0 && data) send({ type: 'open', path: data.points[i].path });
});
canvas.addEventListener('wheel', (e) => {
  e.preventDefault();
  const r = canvas.getBoundingClientRect();
  view = zoomAt(view, e.clientX - r.left, e.clientY - r.top, Math.exp(-e.deltaY * 0.0015), fitView(canvas.clientWidth, canvas.clientHeight).scale / 4);
  redraw();
}, { passive: false });
// Keyboard: arrows pan, +/- zoom, 0 fits, N/P step through the points, Enter opens the focused one,
// Space adds it to the selection or takes it out (the lasso's keyboard counterpart; the legend's
// buttons select a whole class).
canvas.addEventListener('keydown', (e) => {
  if (!data) return;
  const step = 40;
  const cx = canvas.clientWidth / 2, cy = canvas.clientHeight / 2;
  const keys: Record<string, () => void> = {
    ArrowLeft: () => (view = { ...view, tx: view.tx + step }),
    ArrowRight: () => (view = { ...view, tx: view.tx - step }),
    ArrowUp: () => (view = { ...view, ty: view.ty + step }),
    ArrowDown: () => (view = { ...view, ty: view.ty - step }),
    '+': () => (view = zoomAt(view, cx, cy, 1.25)),
    '=': () => (view = zoomAt(view, cx, cy, 1.25)),
    '-': () => (view = zoomAt(view, cx, cy, 0.8)),
    '0': fit,
    n: () => showDetails((scatter.focus + 1) % data!.points.length),
    p: () => showDetails((scatter.focus - 1 + data!.points.length) % data!.points.length),
    Enter: () => scatter.focus >= 0 && send({ type: 'open', path: data!.points[scatter.focus].path }),
    ' ': () => {
      if (scatter.focus < 0) return;
      scatter.selected[scatter.focus] ^= 1;
      updateSelection();
    },
  };
  const fn = keys[e.key];
  if (!fn) return;
  e.preventDefault();
  fn();
  redraw();
});
new ResizeObserver(() => redraw()).observe(document.body);

page.onMessage((m) => {
  switch (m.type) {
    case 'view':
      render(m.view);
      return;
    case 'layout': {
      if (!data || m.id !== data.id) return;
      const coords = asFloat32(m.coords);
      if (m.done) {
        umap = coords;
        data.method = m.method;
      }
      if (method === 'umap' || m.done) {
        method = m.method;
        app.dataset.method = m.done ? m.method : `${m.method}-running`;
        const select = document.getElementById('layout-method') as HTMLSelectElement | null;
        if (select) select.value = m.method;
        setCoords(coords, true);
      }
      return;
    }
    case 'status':
      setStatus(m.message, m.state);
      return;
  }
});
method = 'umap'; // the host starts UMAP with every view: follow it unless the user picks PCA
send({ type: 'ready' });
