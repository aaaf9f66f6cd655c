// The curves' text alternative: each epoch's losses, accuracies and learning rate as a table,
// in a <details> under the charts (screen readers and anyone who wants the exact numbers); the
// compared run's epochs in a second table when one is drawn.
import { h, replaceChildren } from '../shared/dom';
import type { ComparisonRun, EpochView } from '../../protocol/webview/training';

const pct = (v: number | null) => (v === null ? '—' : `${(100 * v).toFixed(1)}%`);
const num = (v: number | null) => (v === null ? '—' : v.toFixed(4));

export function epochTableShell(): HTMLElement {
  return h('details', { id: 'curves-numbers', class: 'numbers' }, h('summary', null, 'The curves as numbers'), h('div', { id: 'curves-numbers-table' }), h('div', { id: 'compared-numbers-table' }));
}

const HEAD = ['epoch', 'train loss', 'train accuracy', 'validation loss', 'validation accuracy'];

export function fillEpochTable(epochs: EpochView[], comparison?: ComparisonRun): void {
  const holder = document.getElementById('curves-numbers-table');
  if (holder) {
    if (!epochs.length) replaceChildren(holder, h('p', { class: 'muted' }, 'No epoch has finished yet.'));
    else {
      replaceChildren(
        holder,
        h(
          'table',
          { class: 'epochs' },
          h('thead', null, h('tr', null, ...[...HEAD, 'learning rate'].map((t) => h('th', { scope: 'col' }, t)))),
          h('tbody', null, ...epochs.map((e) => h('tr', null, h('th', { scope: 'row' }, String(e.epoch)), h('td', null, num(e.trainLoss)), h('td', null, pct(e.trainAcc)), h('td', null, num(e.valLoss)), h('td', null, pct(e.valAcc)), h('td', null, e.lr.toExponential(2))))),
        ),
      );
    }
  }
  const other = document.getElementById('compared-numbers-table');
  if (!other) return;
  if (!comparison) {
    replaceChildren(other);
    return;
  }
  replaceChildren(
    other,
    h(
      'table',
      { class: 'epochs-compared' },
      h('caption', null, `Compared run ${comparison.name} (the dashed curves)`),
      h('thead', null, h('tr', null, ...HEAD.map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', null, ...(comparison.epochs.length
        ? comparison.epochs.map((e) => h('tr', null, h('th', { scope: 'row' }, String(e.epoch)), h('td', null, num(e.trainLoss)), h('td', null, pct(e.trainAcc)), h('td', null, num(e.valLoss)), h('td', null, pct(e.valAcc))))
        : [h('tr', null, h('td', { colspan: HEAD.length }, 'That run has no finished epoch.'))])),
    ),
  );
}
