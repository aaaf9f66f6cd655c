// The classification result view: one image with its top-K bars, or a table with one row per
// image. Element ids and classes used by the e2e tests: #app, #status ('done' | 'error'),
// .prediction[data-probability] > .label + .probability, #untrained-banner, tr.result-row.
import '../shared/litNonce';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import { h, replaceChildren } from '../shared/dom';
import { bootWebview } from '../shared/boot';
import type { ResultRow, ResultsView, WebviewToHost, ClassifyProtocol } from '../../protocol/webview/classify';
import type { Prediction } from '../../protocol/engine';
import { defaultSort, filterRows, relOf, sortRows, summarise, summaryText, type Sort, type SortKey } from './tableModel';

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
  const meta = [`AlexNet ${view.variant}`, view.backend, view.weightsLabel, ...(view.layout === 'table' ? [] : [`${view.totalMs.toFixed(0)} ms`])];
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
    view.layout === 'table' ? h('p', { id: 'summary', class: 'summary' }, summaryText(summarise(view))) : null,
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

/** A path with break opportunities after each '/', so narrow panels wrap between folders, not inside names. */
function pathText(rel: string): HTMLElement {
  const span = h('span', { class: 'path' });
  rel.split('/').forEach((part, i, all) => {
    span.append(document.createTextNode(part + (i < all.length - 1 ? '/' : '')));
    if (i < all.length - 1) span.append(h('wbr'));
  });
  return span;
}

let tableSort: Sort | undefined;
let renderedId: string | undefined;
let tableFilter = '';

function tableRow(view: ResultsView, row: ResultRow): HTMLElement {
  const top = row.ok ? row.predictions[0] : undefined;
  const verdict = row.ok && row.match !== undefined ? h('span', { class: `verdict ${row.match ? 'ok' : 'bad'}`, title: row.match ? 'matches the folder' : 'differs from the folder', 'aria-label': row.match ? 'matches the folder' : 'differs from the folder' }, row.match ? '✓' : '✗') : null;
  const link = h('a', { href: '#', class: 'name', title: row.path, on: { click: (e) => { e.preventDefault(); send({ type: 'open', path: row.path }); } } }, pathText(relOf(row)));
  return h(
    'tr',
    { class: `${row.ok ? 'result-row' : 'result-row failed'}${row.match === false ? ' mismatch' : ''}`, dataset: { path: row.path, ...(row.match !== undefined ? { match: String(row.match) } : {}) } },
    h('td', { class: 'thumb' }, row.ok ? h('img', { src: row.imageSrc, alt: '', loading: 'lazy' }) : h('span', { class: 'codicon codicon-error', 'aria-label': 'unreadable' })),
    h('td', { class: 'file' }, link, row.ok && row.exif ? h('span', { class: 'exif-badge', title: exifNote(row)?.textContent ?? '' }, row.exif.applied ? ` · EXIF ${row.exif.orientation} applied` : ` · EXIF ${row.exif.orientation} ignored`) : null),
    view.classPerFolder ? h('td', { class: 'folder' }, row.folderClass ?? '') : null,
    row.ok
      ? h('td', { class: 'top1', title: top?.synset ? `${top.label} (${top.synset}, class ${top.index})` : undefined }, verdict, ' ', top?.label ?? '')
      : h('td', { class: 'error', colspan: '3' }, `${row.error} (${row.code})`),
    row.ok ? h('td', { class: 'prob num' }, top ? percent(top.probability) : '') : null,
    // the top-1 has its own column: the list holds the runners-up
    row.ok ? h('td', { class: 'rest' }, h('ol', { class: 'predictions compact', start: '2' }, ...row.predictions.slice(1).map((p) => predictionRow(p, true)))) : null,
  );
}

function tableLayout(view: ResultsView): HTMLElement {
  tableSort ??= defaultSort(view);
  const tbody = h('tbody');
  const count = h('span', { id: 'shown-count', class: 'meta' });
  const columns: { key: SortKey | null; label: string; cls?: string; title?: string }[] = [
    { key: null, label: 'Image' },
    { key: 'file', label: 'File' },
    ...(view.classPerFolder ? [{ key: 'folder' as const, label: 'Folder' }] : []),
    view.folderAccuracy ? { key: 'match', label: 'Top-1', title: 'Sort: mismatches with the folder first' } : { key: 'top1', label: 'Top-1' },
    { key: 'probability', label: 'Prob.', cls: 'num', title: 'Sort by the top-1 probability' },
    { key: null, label: view.topK > 2 ? `Top 2-${view.topK}` : 'Top 2' },
  ];
  const headRow = h('tr');
  const fill = () => {
    const rows = sortRows(filterRows(view.rows, tableFilter), tableSort!);
    tbody.replaceChildren(...rows.map((r) => tableRow(view, r)));
    count.textContent = rows.length === view.rows.length ? '' : `${rows.length} of ${view.rows.length} shown`;
    headRow.querySelectorAll<HTMLElement>('th[data-key]').forEach((th) => {
      const on = th.dataset.key === tableSort!.key;
      th.setAttribute('aria-sort', on ? (tableSort!.descending ? 'descending' : 'ascending') : 'none');
    });
  };
  for (const c of columns) {
    const key = c.key;
    headRow.append(
      key
        ? h('th', { dataset: { key }, scope: 'col', class: c.cls },
            h('button', { class: 'sort', title: c.title, on: { click: () => {
              // a second click on the same column reverses it; probabilities start high-first
              tableSort = { key, descending: tableSort!.key === key ? !tableSort!.descending : key === 'probability' };
              fill();
            } } }, c.label))
        : h('th', { scope: 'col', class: c.cls }, c.label),
    );
  }
  const filter = h('input', { id: 'filter', type: 'search', placeholder: 'Filter by path, folder or class', 'aria-label': 'Filter the results', value: tableFilter, on: { input: (e) => { tableFilter = (e.target as HTMLInputElement).value; fill(); } } });
  const table = h('table', { class: 'results' }, h('thead', null, headRow), tbody);
  fill();
  return h('section', { class: 'table-section' }, h('div', { class: 'table-tools' }, filter, count), table);
}

function setStatus(text: 'running' | 'done' | 'error', detail?: string): void {
  const status = document.getElementById('status')!;
  status.textContent = text;
  if (detail) status.title = detail;
}

function render(view: ResultsView): void {
  if (view.id !== renderedId) {
    // another result set: its own default order and no filter
    renderedId = view.id;
    tableSort = undefined;
    tableFilter = '';
  }
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
