// The training view: live curves while a run trains, the validation confusion matrix after each
// epoch, per-class precision/recall and the run's config. Element ids used by the e2e tests:
// #app, #status ('training' | 'done' | 'cancelled' | 'error'), canvas#loss-chart, canvas#epoch-chart (loss),
// canvas#acc-chart, canvas#lr-chart (only when the lr changes, else #lr-constant), input#smoothing,
// #compare-run / #clear-comparison,
// table#confusion > td.cm-cell[data-count], #step-count (number of step points plotted), the
// gallery and Top losses (gallery.ts: section#gallery, section#top-losses), the probe image
// (probePanel.ts: section#probe, #choose-probe, canvas#probe-heatmap, table#probe-top).
import '../shared/litNonce';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import { h, replaceChildren } from '../shared/dom';
import { bootWebview } from '../shared/boot';
import { augmentLabel, patienceLabel, type EpochView, type LiveProgress, type RunView, type ComparisonRun, type TrainingWebviewState, type WebviewToHost, type TrainingProtocol } from '../../protocol/webview/training';
import { TrainingCharts } from './charts';
import { clampSmoothing, constantLrText, lrChanges, MAX_SMOOTHING } from './curveModel';
import { CellTooltip, confusionTable, percent, perClassTable } from './confusion';
import { epochTableShell, fillEpochTable } from './epochTable';
import { cellGallery, topLossesSection, ValidationImages, type GalleryContext } from './gallery';
import { DEFAULT_PROBE_OPACITY, probeSection, type ProbeContext } from './probePanel';

const page = bootWebview<TrainingProtocol>();
const { api, app } = page;
const send = (m: WebviewToHost) => api.post(m);

let state: TrainingWebviewState = api.getState() ?? {};
let charts: TrainingCharts | undefined;
const tooltip = new CellTooltip((path) => send({ type: 'openImage', path }));
/** per-image validation results by epoch, from the host (not saved: it can be large) */
const validationImages = new ValidationImages(send);
let saveTimer: number | undefined;

/** setState serialises the whole run: at most once a second while steps stream in. */
function saveState(now = false): void {
  if (now) {
    window.clearTimeout(saveTimer);
    saveTimer = undefined;
    api.setState(state);
    return;
  }
  saveTimer ??= window.setTimeout(() => {
    saveTimer = undefined;
    api.setState(state);
  }, 1000);
}

function formatEta(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s left`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s left`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min left`;
}

function progressText(view: RunView, p: LiveProgress | undefined): string {
  switch (view.status) {
    case 'training':
      if (!p) return 'Training: preparing…';
      return [`Training: epoch ${p.epoch}/${p.totalEpochs}`, `step ${p.step}/${p.stepsPerEpoch}`, `${p.imagesPerSec.toFixed(1)} images/s`, formatEta(p.etaSeconds)]
        .filter(Boolean)
        .join(' · ');
    case 'done':
      return `Finished: ${view.epochs.length} epoch${view.epochs.length === 1 ? '' : 's'}${bestSuffix(view)}`;
    case 'cancelled':
      return `Stopped${view.message ? `: ${view.message}` : ''}${bestSuffix(view)}`;
    case 'error':
      return `Failed${view.message ? `: ${view.message}` : ''}`;
  }
}

function bestSuffix(view: RunView): string {
  const best = bestEpoch(view);
  if (!best) return '';
  const acc = best.valAcc === null ? '' : `, validation accuracy ${percent(best.valAcc, 1)}`;
  return ` · best: epoch ${best.epoch}${acc} (the model Use Trained Model loads)`;
}

/** The epoch best.safetensors holds: the last one the trainer marked best (accuracy, ties by loss). */
function bestEpoch(view: RunView): EpochView | undefined {
  return [...view.epochs].reverse().find((e) => e.best);
}

function actionButton(label: string, icon: string, onClick: () => void, secondary = true): HTMLElement {
  const b = h('vscode-button', { icon, secondary }, label);
  b.addEventListener('click', onClick);
  return b;
}

function renderHeader(view: RunView): HTMLElement {
  const c = view.config;
  const cfg = c.config;
  const actions = h('div', { class: 'actions' });
  if (view.live && view.status === 'training') actions.append(actionButton('Cancel', 'debug-stop', () => send({ type: 'cancel' })));
  if (!view.live && view.status === 'cancelled') actions.append(actionButton('Resume', 'debug-continue', () => send({ type: 'resume' }), false));
  if (view.hasBest) {
    actions.append(
      actionButton('Use Trained Model', 'check', () => send({ type: 'useModel' }), view.status === 'training'),
    );
  }
  actions.append(actionButton('Reveal Run Folder', 'folder-opened', () => send({ type: 'revealRun' })));
  return h(
    'header',
    null,
    h('h1', null, `Training run ${view.name}`),
    h(
      'p',
      { class: 'meta' },
      `${c.folder} · ${c.classNames.length} classes · ${c.trainCount} training / ${c.valCount} validation images · AlexNet ${cfg.variant} · ${cfg.mode}`,
    ),
    h(
      'div',
      { class: `status-line status-${view.status}` },
      h('span', { id: 'status', class: 'status-badge' }, view.status),
      h('span', { id: 'progress-text' }, progressText(view, view.progress)),
    ),
    actions,
  );
}

const smoothing = () => clampSmoothing(state.smoothing);

function lossLabel(): string {
  const w = smoothing();
  return w === 0 ? 'training loss per step (not smoothed)' : `training loss per step: the raw points, faint, and their exponential moving average (smoothing ${w.toFixed(2)})`;
}

function comparedLabel(c: ComparisonRun | undefined): string {
  return c ? `; dashed: run ${c.name}'s` : '';
}

function smoothingControl(): HTMLElement {
  const input = h('input', { id: 'smoothing', type: 'range', min: '0', max: String(MAX_SMOOTHING), step: '0.01', value: String(smoothing()) }) as HTMLInputElement;
  const shown = h('output', { id: 'smoothing-value', for: 'smoothing' }, smoothing().toFixed(2));
  input.addEventListener('input', () => {
    state.smoothing = clampSmoothing(Number(input.value));
    shown.textContent = smoothing().toFixed(2);
    charts?.setSmoothing(smoothing());
    document.getElementById('loss-chart')?.setAttribute('aria-label', lossLabel());
    saveState(true);
  });
  return h('label', { class: 'smoothing' }, 'Smoothing ', input, ' ', shown);
}

function compareControls(): HTMLElement[] {
  const c = state.comparison;
  const pick = actionButton(c ? 'Compare with Another Run…' : 'Compare with Run…', 'diff', () => send({ type: 'pickComparison' }));
  pick.id = 'compare-run';
  if (!c) return [pick];
  const clear = actionButton('Clear Comparison', 'close', () => {
    state.comparison = undefined;
    if (state.view) renderCurvesInto(state.view, 'compare-run');
    saveState(true);
  });
  clear.id = 'clear-comparison';
  return [pick, clear, h('span', { id: 'compared-name', class: 'muted' }, `dashed: ${c.name}`)];
}

function chartFigure(id: string, caption: string, label: string): HTMLElement {
  return h(
    'figure',
    { class: 'chart' },
    h('figcaption', null, caption),
    h('div', { class: 'canvas-box' }, h('canvas', { id, role: 'img', 'aria-label': label })),
  );
}

function renderCurves(view: RunView): HTMLElement {
  const c = state.comparison;
  const showLr = lrChanges(view.steps, view.epochs);
  return h(
    'section',
    { id: 'curves', class: 'curves' },
    h('h2', null, 'Curves'),
    h('div', { class: 'toolbar' }, smoothingControl(), ...compareControls()),
    h(
      'figure',
      { class: 'chart wide' },
      h('figcaption', null, 'Training loss per step · ', h('span', { id: 'step-count' }, '0'), ' steps'),
      h('div', { class: 'canvas-box' }, h('canvas', { id: 'loss-chart', role: 'img', 'aria-label': lossLabel() })),
    ),
    // the per-epoch charts share a row (the lr chart joins them when shown): empty tracks collapse
    h(
      'div',
      { class: 'chart-grid' },
      chartFigure('epoch-chart', `Loss per epoch${c ? ` · dashed: ${c.name}` : ''}`, `training and validation loss per epoch${comparedLabel(c)}`),
      chartFigure('acc-chart', `Accuracy per epoch${c ? ` · dashed: ${c.name}` : ''}`, `training and validation accuracy per epoch${comparedLabel(c)}`),
      ...(showLr ? [chartFigure('lr-chart', 'Learning rate', 'learning rate per step')] : []),
    ),
    ...(showLr ? [] : [h('p', { id: 'lr-constant', class: 'muted' }, constantLrText(view.steps, view.config.config.lr))]),
    epochTableShell(),
  );
}

/** Builds the curves (the section, then its charts on the new canvases). */
function drawCharts(view: RunView): void {
  const canvas = (id: string) => document.getElementById(id) as HTMLCanvasElement | null;
  charts = new TrainingCharts(
    { loss: canvas('loss-chart')!, epochLoss: canvas('epoch-chart')!, accuracy: canvas('acc-chart')!, lr: canvas('lr-chart') ?? undefined },
    smoothing(),
  );
  charts.setAll(view.steps, view.epochs);
  charts.setComparison(state.comparison);
  fillEpochTable(view.epochs, state.comparison);
  updateStepCount();
}

/** Draws the curves section again (the lr started changing, a comparison came or went), keeping the focus on `focusId`. */
function renderCurvesInto(view: RunView, focusId?: string): void {
  const old = document.getElementById('curves');
  if (!old) return;
  const focused = focusId ?? (old.contains(document.activeElement) ? document.activeElement?.id : undefined);
  const wasOpen = (document.getElementById('curves-numbers') as HTMLDetailsElement | null)?.open;
  charts = undefined;
  old.replaceWith(renderCurves(view));
  if (wasOpen) (document.getElementById('curves-numbers') as HTMLDetailsElement).open = true;
  drawCharts(view);
  if (focused) {
    const el = document.getElementById(focused);
    const drawn = (el as (HTMLElement & { updateComplete?: Promise<unknown> }) | null)?.updateComplete;
    if (drawn) void drawn.then(() => el?.focus());
    else el?.focus();
  }
}

/** The lr chart appears the first time the lr changes (warm-up, a plateau division). */
function lrChartDue(view: RunView): boolean {
  return !document.getElementById('lr-chart') && lrChanges(view.steps, view.epochs);
}

/** The matrix shown: the one picked, else the best epoch's (so it agrees with the classifier after Use Trained Model). */
function shownEpoch(view: RunView): EpochView | undefined {
  const wanted = state.confusionEpoch;
  return (wanted !== undefined && view.epochs.find((e) => e.epoch === wanted)) || bestEpoch(view) || view.epochs[view.epochs.length - 1];
}

function renderValidation(view: RunView): HTMLElement {
  const section = h('section', { id: 'validation', class: 'validation' }, h('h2', null, 'Validation'));
  const epoch = shownEpoch(view);
  if (!epoch) {
    section.append(h('p', { class: 'muted' }, view.status === 'training' ? 'The confusion matrix appears after the first epoch.' : 'No epoch finished.'));
    return section;
  }
  if (epoch.valImages === 0) {
    section.append(h('p', { class: 'muted' }, 'This run has no validation images.'));
    return section;
  }
  const select = h('vscode-single-select', { id: 'epoch-select', 'aria-label': 'Epoch' }) as HTMLElement & { value: string };
  const best = bestEpoch(view);
  for (const e of view.epochs) {
    select.append(h('vscode-option', { value: String(e.epoch), selected: e.epoch === epoch.epoch }, `epoch ${e.epoch}${e === best ? ' (best: the model Use Trained Model loads)' : ''}`));
  }
  select.addEventListener('change', () => {
    const n = Number(select.value);
    state.confusionEpoch = n === best?.epoch ? undefined : n;
    saveState(true);
    renderValidationInto(view);
  });
  const toggle = h('vscode-checkbox', { id: 'normalise-toggle', label: 'Row-normalised', checked: !!state.normalised }) as HTMLElement & { checked: boolean };
  toggle.addEventListener('change', () => {
    state.normalised = toggle.checked;
    saveState(true);
    renderValidationInto(view);
  });
  const names = view.config.classNames;
  const ctx: GalleryContext = {
    classNames: names,
    editable: !(view.live && view.status === 'training'),
    send,
    onClose: () => {
      state.galleryCell = undefined;
      saveState(true);
      renderValidationInto(view);
    },
  };
  const cell = state.galleryCell;
  const cellCount = cell ? epoch.confusion[cell.actual]?.[cell.predicted] : undefined;
  const onSelectCell = (c: { actual: number; predicted: number }) => {
    state.galleryCell = c;
    saveState(true);
    renderValidationInto(view);
    // the cell was re-drawn: keep the focus on it, and bring the gallery into view
    (document.querySelector(`#confusion td.cm-cell[data-actual="${c.actual}"][data-predicted="${c.predicted}"]`) as HTMLElement | null)?.focus();
    tooltip.hide(); // focusing the cell showed it, over the gallery
    document.getElementById('gallery')?.scrollIntoView({ block: 'nearest' });
  };
  section.append(
    h(
      'div',
      { class: 'toolbar' },
      h('label', null, 'After ', select),
      toggle,
      h('span', { class: 'muted' }, `${epoch.valImages} images · accuracy ${percent(epoch.valAcc, 1)} · loss ${epoch.valLoss?.toFixed(4) ?? '–'}`),
    ),
    h('div', { class: 'table-scroll' }, confusionTable(epoch, { classNames: names, normalised: !!state.normalised, selected: cell, onSelectCell }, tooltip)),
    h('p', { class: 'muted' }, 'Click a cell (or Enter) to see its images; Move to Class… or Exclude fix a label, then train again.'),
    ...(cell && cellCount !== undefined ? [cellGallery(epoch.epoch, cell, cellCount, validationImages, ctx)] : []),
    h('h3', null, 'Per class'),
    perClassTable(epoch, names),
    topLossesSection(epoch.epoch, validationImages, ctx),
  );
  const skipped = view.epochs.flatMap((e) => e.skipped);
  if (skipped.length) {
    const unique = [...new Map(skipped.map((s) => [s.path, s])).values()];
    section.append(
      h('h3', null, `Skipped images (${unique.length})`),
      h('ul', { class: 'skipped' }, ...unique.map((s) => h('li', null, h('code', null, s.path), ` — ${s.reason}`))),
    );
  }
  return section;
}

/** Draws the validation section again; a keyboard user keeps their place (the toggle, the epoch list or the matrix cell). */
function renderValidationInto(view: RunView): void {
  tooltip.hide();
  const old = document.getElementById('validation');
  const focused = old?.contains(document.activeElement) ? document.activeElement : null;
  const fresh = renderValidation(view);
  old?.replaceWith(fresh);
  if (!focused) return;
  const again = focused.id ? fresh.querySelector<HTMLElement>(`#${CSS.escape(focused.id)}`) : focused.classList.contains('cm-cell') ? fresh.querySelector<HTMLElement>('td.cm-cell[tabindex="0"]') : null;
  if (!again) return;
  // the toolbar's controls are Lit elements that delegate focus to their inner input, which they draw a microtask later
  const drawn = (again as HTMLElement & { updateComplete?: Promise<unknown> }).updateComplete;
  if (drawn) void drawn.then(() => again.focus());
  else again.focus();
}

/** The per-image answers came or changed: redraw the validation section, keeping the focus where it was. */
function refreshGalleries(view: RunView): void {
  const focused = document.activeElement as HTMLElement | null;
  const path = focused?.closest<HTMLElement>('figure.gallery-item')?.dataset.path;
  const where = focused?.closest('section.gallery')?.id;
  const cellKey = focused?.matches('td.cm-cell') ? `[data-actual="${focused.dataset.actual}"][data-predicted="${focused.dataset.predicted}"]` : undefined;
  renderValidationInto(view);
  if (cellKey) {
    (document.querySelector(`#confusion td.cm-cell${cellKey}`) as HTMLElement | null)?.focus();
    tooltip.hide();
  }
  else if (path && where) {
    const fig = [...document.querySelectorAll<HTMLElement>(`#${where} figure.gallery-item`)].find((f) => f.dataset.path === path);
    fig?.querySelector<HTMLElement>('.gallery-undo, .gallery-move, .gallery-thumb')?.focus();
  }
}

const INIT_LABELS = { paper: "the paper's N(0, 0.01), biases 1", pytorch: "PyTorch's default (kaiming-uniform)", he: 'He normal' } as const;
const MODE_LABELS = {
  probe: 'linear probe: only fc8 learns, on fc7 features computed once (no dropout)',
  frozen: 'frozen conv layers: fc6–fc8 learn on cached pool5 features',
  finetune: 'fine-tune: every layer learns from the starting weights',
  scratch: 'from scratch: every layer learns',
} as const;

/** Where ONNX Runtime ran the steps (config.json's device record; absent: tfjs ran them). */
function deviceRows(d: RunView['config']['device']): [string, string][] {
  if (!d) return [];
  const asked = d.preference === d.id ? '' : ` (asked for: ${d.preference})`;
  return [
    ['Device', `${d.label}${asked}${d.reason ? `: ${d.reason}` : ''}`],
    ...(d.notUsed ?? []).map((n) => ['Not used', n] as [string, string]),
  ];
}

function renderConfig(view: RunView): HTMLElement {
  const cfg = view.config.config;
  const rows: [string, string][] = [
    ['Dataset', view.config.folder],
    ['Layout', view.config.layout === 'split-folders' ? 'train/ and val/ folders' : `class folders, ${percent(cfg.valFraction)} held out per class`],
    ['Classes', view.config.classNames.join(', ')],
    ['Recipe', cfg.preset ?? '(set by hand)'],
    ['Variant', cfg.variant],
    ['Mode', MODE_LABELS[cfg.mode] ?? cfg.mode],
    ['Starting weights', cfg.mode === 'scratch' ? `random: ${INIT_LABELS[cfg.init ?? 'paper']}` : cfg.weights?.path ?? 'random (no pretrained weights)'],
    ...(view.config.baseWeights
      ? [['Saved layers', `only the trained ones; the others are rebuilt from the starting weights (SHA-256 ${view.config.baseWeights.sha256.slice(0, 16)}…) when the model is used`] as [string, string]]
      : []),
    ['Epochs', String(cfg.epochs)],
    ['Batch size', String(cfg.batchSize)],
    ['Steps per epoch', String(view.config.stepsPerEpoch)],
    ['Optimizer', cfg.optimizer === 'adam' ? `Adam (betas ${(cfg.adamBetas ?? [0.9, 0.999]).join(', ')})` : 'SGD'],
    ['Learning rate', view.config.lrFinder ? `${cfg.lr.toExponential(2)} from the learning-rate finder (${view.config.lrFinder.rule})` : String(cfg.lr)],
    ...(cfg.warmupSteps ? [['Warm-up', `linear over ${cfg.warmupSteps} steps`] as [string, string]] : []),
    ...(cfg.clipGradNorm ? [['Gradient clipping', `global L2 norm ${cfg.clipGradNorm}`] as [string, string]] : []),
    ...(cfg.optimizer === 'adam' ? [] : [['Momentum', String(cfg.momentum)] as [string, string]]),
    ['Weight decay', String(cfg.weightDecay)],
    ...(view.config.notes ?? []).map((n) => ['Note', n] as [string, string]),
    ['Patience', patienceLabel(cfg.patience, cfg.warmupSteps)],
    ['Early stop', cfg.earlyStop ? `after ${cfg.earlyStop} epochs` : 'off'],
    ['Augmentation', augmentLabel(cfg.augment, cfg.mode)],
    ['Seed', String(cfg.seed)],
    ...deviceRows(view.config.device),
    ['Run folder', view.runDir],
  ];
  return h(
    'section',
    { class: 'config' },
    h('h2', null, 'Configuration'),
    h('dl', { id: 'run-config' }, ...rows.flatMap(([k, v]) => [h('dt', null, k), h('dd', null, v)])),
  );
}

const probeContext: ProbeContext = {
  choose: () => send({ type: 'chooseProbe' }),
  opacity: () => state.probeOpacity ?? DEFAULT_PROBE_OPACITY,
  setOpacity: (o, save) => {
    state.probeOpacity = o;
    if (save) saveState(true);
  },
};

function renderProbeInto(view: RunView): void {
  document.getElementById('probe')?.replaceWith(probeSection(view, probeContext));
}

function render(view: RunView): void {
  tooltip.hide();
  charts = undefined;
  replaceChildren(app, renderHeader(view), renderCurves(view), probeSection(view, probeContext), renderValidation(view), renderConfig(view), tooltip.element);
  drawCharts(view);
}

function updateStepCount(): void {
  const el = document.getElementById('step-count');
  if (el && charts) el.textContent = String(charts.stepPoints);
}

function refreshHeader(view: RunView): void {
  document.querySelector('header')?.replaceWith(renderHeader(view));
}

page.onMessage((msg) => {
  const view = state.view;
  switch (msg.type) {
    case 'snapshot':
      validationImages.clear(); // a resumed run rewrites its per-image records
      state = { ...state, view: msg.view };
      render(msg.view);
      saveState(true);
      return;
    case 'step':
      if (!view) return;
      view.steps.push(msg.step);
      view.progress = msg.progress;
      if (lrChartDue(view)) renderCurvesInto(view);
      else charts?.addStep(msg.step);
      updateStepCount();
      { const t = document.getElementById('progress-text'); if (t) t.textContent = progressText(view, view.progress); }
      saveState();
      return;
    case 'epoch':
      if (!view) return;
      view.epochs.push(msg.epoch);
      view.hasBest = msg.hasBest;
      if (lrChartDue(view)) renderCurvesInto(view);
      else charts?.addEpoch(msg.epoch);
      fillEpochTable(view.epochs, state.comparison);
      refreshHeader(view);
      renderValidationInto(view); // the latest epoch, or a longer epoch list
      saveState(true);
      return;
    case 'validation':
      validationImages.receive(msg);
      if (view) refreshGalleries(view);
      return;
    case 'comparison':
      state.comparison = msg.run;
      if (view) renderCurvesInto(view, 'compare-run');
      saveState(true);
      return;
    case 'probe':
      if (!view) return;
      view.probeImage = msg.image;
      if (msg.probe) view.probe = msg.probe;
      else delete view.probe;
      renderProbeInto(view);
      saveState(true);
      return;
    case 'imageEdit':
      validationImages.applyEdit(msg.path, msg.edit);
      if (view) refreshGalleries(view);
      return;
    case 'status':
      if (!view) return;
      Object.assign(view, { status: msg.status, message: msg.message, hasBest: msg.hasBest, live: msg.live, progress: undefined });
      refreshHeader(view);
      renderProbeInto(view);
      renderValidationInto(view);
      saveState(true);
      return;
  }
});

// Theme switches change the CSS variables: recolour the charts (the tables use the variables directly).
new MutationObserver(() => charts?.recolour()).observe(document.body, { attributes: true, attributeFilter: ['class'] });

// Shown again after being hidden: draw the saved run at once; the host then sends the current one.
const saved = state.view;
if (saved && saved.runDir === app.dataset.runDir) render(saved);
else state = {};
send({ type: 'ready' });
