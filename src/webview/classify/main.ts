// The classification result view: one image with its top-K bars, or a table with one row per
// image. Element ids and classes used by the e2e tests: #app, #status ('done' | 'error'),
// .prediction[data-probability] > .label + .probability, #untrained-banner, tr.result-row.
import '../shared/litNonce';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import { h, replaceChildren } from '../shared/dom';
import { bootWebview } from '../shared/boot';
import type { ResultRow, ResultsView, WebviewToHost, ClassifyProtocol } from '../../protocol/webview/classify';
import type { Prediction } from '../../protocol/engine';

const page = bootWebview<ClassifyProtocol>();
const { api, app } = page;
const send = (m: WebviewToHost) => api.post(m);

function percent(p: number): string {
  return `${(p * 100).toFixed(p >= 0.995 || p < 0.001 ? 1 : 2)}%`;
}

function button(label: string, icon: string, onClick: () => void, opts: { secondary?: boolean; disabled?: boolean; title?: string } = {}): HTMLElement {
  const b = h('vscode-button', { icon, secondary: opts.secondary, disabled: opts.disabled, title: opts.title }, label);
  if (!opts.disabled) {
    b.addEventListener('click', onClick);
    return b;
  }
  // A disabled vscode-button ignores the pointer, so its tooltip lives on a focusable wrapper.
  return h('span', { class: 'disabled-action', title: opts.title, tabindex: '0', 'aria-label': `${label}: ${opts.title ?? 'unavailable'}` }, b);
}

function predictionRow(p: Prediction, compact: boolean): HTMLElement {
  const fill = h('div', { class: 'fill' });
  // CSSOM, not a style attribute: the CSP forbids inline styles.
  fill.style.width = `${Math.max(0, Math.min(1, p.probability)) * 100}%`;
  return h(
    'li',
    { class: 'prediction', dataset: { probability: String(p.probability), index: String(p.index) } },
    h('span', { class: 'label', title: p.synset ? `${p.label} (${p.synset}, class ${p.index})` : `class ${p.index}` }, p.label),
    !compact && p.synset ? h('span', { class: 'synset' }, p.synset) : null,
    h('div', { class: 'bar', role: 'presentation' }, fill),
    h('span', { class: 'probability' }, percent(p.probability)),
  );
}

function header(view: ResultsView): HTMLElement {
  const failed = view.rows.filter((r) => !r.ok).length;
  const meta = [
    `AlexNet ${view.variant}`,
    view.backend,
    view.weightsLabel,
    `${view.totalMs.toFixed(0)} ms`,
    ...(view.layout === 'table' ? [`${view.rows.length} images${failed ? `, ${failed} failed` : ''}`] : []),
  ];
  const actions = h('div', { class: 'actions' });
  if (view.layout === 'image' && view.rows[0]?.ok) {
    const path = view.rows[0].path;
    actions.append(
      view.canExplore
        ? button('Explore activations', 'layers', () => send({ type: 'explore', path }))
        : button('Explore activations', 'layers', () => undefined, { disabled: true, title: 'coming with the activation explorer' }),
    );
  }
  if (view.layout === 'table') actions.append(button('Export CSV', 'export', () => send({ type: 'exportCsv' }), { secondary: true }));
  actions.append(button('Copy as JSON', 'copy', () => send({ type: 'copyJson' }), { secondary: true }));
  return h(
    'header',
    null,
    h('h1', null, view.title),
    h('p', { class: 'meta' }, meta.join(' · ')),
    view.untrained
      ? h(
          'div',
          { id: 'untrained-banner', class: 'banner', role: 'note' },
          h('strong', null, 'Untrained (random weights). '),
          'These predictions come from randomly initialised weights and mean nothing. Use "AlexNet: Download Pretrained Weights" or "Load Weights from File" for real results.',
        )
      : null,
    actions,
  );
}

function openLink(row: ResultRow): HTMLElement {
  return h('a', { href: '#', class: 'name', title: row.path, on: { click: (e) => { e.preventDefault(); send({ type: 'open', path: row.path }); } } }, row.name);
}

/** EXIF orientation, said out loud: torchvision (PIL's Image.open) ignores the tag, we rotate by default. */
function exifNote(row: ResultRow): HTMLElement | null {
  if (!row.ok || !row.exif) return null;
  const text = row.exif.applied
    ? `EXIF orientation ${row.exif.orientation} applied: classified as shown, rotated from the stored pixels (torchvision would not rotate; set alexnet.image.exifOrientation to false for torchvision-exact results)`
    : `EXIF orientation ${row.exif.orientation} ignored (alexnet.image.exifOrientation is off): classified as stored, as torchvision does; the picture may look rotated`;
  return h('p', { class: 'exif-note', role: 'note' }, text);
}

function imageLayout(row: ResultRow): HTMLElement {
  const figure = h('figure', null, h('img', { src: row.imageSrc, alt: row.name }), h('figcaption', null, openLink(row), row.ok ? ` · ${row.width}×${row.height} · ${row.ms.toFixed(0)} ms` : null), exifNote(row));
  if (!row.ok) return h('section', { class: 'single' }, figure, h('div', { class: 'error', role: 'alert' }, `${row.error} (${row.code})`));
  return h('section', { class: 'single' }, figure, h('ol', { class: 'predictions', 'aria-label': 'Top classes' }, ...row.predictions.map((p) => predictionRow(p, false))));
}

function tableLayout(view: ResultsView): HTMLElement {
  const rows = view.rows.map((row) =>
    h(
      'tr',
      { class: row.ok ? 'result-row' : 'result-row failed', dataset: { path: row.path } },
      h('td', { class: 'thumb' }, row.ok ? h('img', { src: row.imageSrc, alt: '', loading: 'lazy' }) : h('span', { class: 'codicon codicon-error', 'aria-label': 'unreadable' })),
      h('td', null, openLink(row), row.ok && row.exif ? h('span', { class: 'exif-badge', title: exifNote(row)?.textContent ?? '' }, row.exif.applied ? ` · EXIF ${row.exif.orientation} applied` : ` · EXIF ${row.exif.orientation} ignored`) : null),
      row.ok
        ? h('td', { class: 'top1' }, row.predictions[0] ? `${row.predictions[0].label} (${percent(row.predictions[0].probability)})` : '')
        : h('td', { class: 'error', colspan: '2' }, `${row.error} (${row.code})`),
      row.ok ? h('td', null, h('ol', { class: 'predictions compact' }, ...row.predictions.map((p) => predictionRow(p, true)))) : null,
    ),
  );
  return h(
    'table',
    { class: 'results' },
    h('thead', null, h('tr', null, h('th', null, 'Image'), h('th', null, 'File'), h('th', null, 'Top-1'), h('th', null, `Top-${view.topK}`))),
    h('tbody', null, ...rows),
  );
}

function setStatus(text: 'running' | 'done' | 'error', detail?: string): void {
  const status = document.getElementById('status')!;
  status.textContent = text;
  if (detail) status.title = detail;
}

function render(view: ResultsView): void {
  const body = view.layout === 'image' && view.rows.length === 1 ? imageLayout(view.rows[0]) : tableLayout(view);
  replaceChildren(app, header(view), body, h('div', { id: 'status', class: 'sr-status', role: 'status' }));
  // A single image that could not be read is a failure; in a table, failed rows are shown in place.
  setStatus(view.layout === 'image' && view.rows.length === 1 && !view.rows[0].ok ? 'error' : 'done');
}

function renderMessage(kind: 'running' | 'error', message: string): void {
  replaceChildren(app, h('p', { class: kind === 'error' ? 'error' : 'running', role: kind === 'error' ? 'alert' : 'status' }, message), h('div', { id: 'status', class: 'sr-status' }));
  setStatus(kind, message);
}

page.onMessage((msg) => {
  switch (msg.type) {
    case 'results':
      api.setState({ view: msg.view });
      render(msg.view);
      break;
    case 'running':
      renderMessage('running', msg.message);
      break;
    case 'failed':
      api.setState({});
      renderMessage('error', msg.message);
      break;
  }
});

// Shown again after being hidden: draw the last results at once, then ask the host for fresh ones.
// Only this page's own results: a page loaded for new results must not flash (and report
// 'done' for) the previous ones.
const saved = api.getState()?.view;
if (saved && saved.id === app.dataset.viewId) render(saved);
send({ type: 'ready' });
