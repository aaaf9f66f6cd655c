// The folder results table: summary (images, classes predicted, time, accuracy against the
// folders), filter, sorts (mismatches first by default when there is an accuracy).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ResultRow, ResultsView } from '../../../../src/protocol/webview/classify';
import { defaultSort, filterRows, sortRows, summarise, summaryText } from '../../../../src/webview/classify/tableModel';

function ok(rel: string, folder: string, label: string, probability: number, match?: boolean): ResultRow {
  return { ok: true, path: `/d/${rel}`, name: rel.split('/').pop()!, rel, folderClass: folder, imageSrc: '', predictions: [{ index: 0, label, probability }, { index: 1, label: 'other', probability: 0.01 }], width: 1, height: 1, ms: 1, ...(match !== undefined ? { match } : {}) };
}
const rows: ResultRow[] = [
  ok('ants/00.png', 'ants', 'ant', 0.9, true),
  ok('ants/10.png', 'ants', 'bee', 0.6, false),
  ok('bees/00.png', 'bees', 'bee', 0.7, true),
  ok('bees/02.png', 'bees', 'bee', 0.95, true),
  { ok: false, path: '/d/bees/x.jpg', name: 'x.jpg', rel: 'bees/x.jpg', folderClass: 'bees', imageSrc: '', error: 'not an image', code: 'unsupported' },
];
const view = { id: 'v', layout: 'table', title: 't', rows, variant: 'torchvision', backend: 'b', weightsLabel: 'w', untrained: false, topK: 5, totalMs: 2500, classPerFolder: true, folderAccuracy: true, canExplore: true } as ResultsView;

test('summary: images, unreadable, classes predicted, time, accuracy over judged rows', () => {
  const s = summarise(view);
  assert.deepEqual(s, { images: 5, failed: 1, classesPredicted: 2, seconds: 2.5, accuracy: { correct: 3, total: 4, mismatches: 1 } });
  assert.equal(summaryText(s), '5 images · 2 classes predicted · 2.5 s · 1 unreadable · top-1 matches the folder for 3 of 4 (75.0%)');
  assert.equal(summarise({ ...view, folderAccuracy: false }).accuracy, undefined);
});

test('default sort: mismatches first, failed rows last; by path without an accuracy', () => {
  assert.deepEqual(sortRows(rows, defaultSort(view)).map((r) => r.rel), ['ants/10.png', 'ants/00.png', 'bees/00.png', 'bees/02.png', 'bees/x.jpg']);
  assert.deepEqual(defaultSort({ ...view, folderAccuracy: false }), { key: 'file', descending: false });
});

test('sorts by probability (descending), by top-1 label, by folder; numeric file order', () => {
  assert.deepEqual(sortRows(rows, { key: 'probability', descending: true }).map((r) => r.rel), ['bees/02.png', 'ants/00.png', 'bees/00.png', 'ants/10.png', 'bees/x.jpg']);
  assert.deepEqual(sortRows(rows, { key: 'top1', descending: false }).map((r) => r.rel).slice(0, 2), ['ants/00.png', 'ants/10.png']);
  const files = [ok('a/10.png', 'a', 'x', 0.5), ok('a/9.png', 'a', 'x', 0.5)];
  assert.deepEqual(sortRows(files, { key: 'file', descending: false }).map((r) => r.rel), ['a/9.png', 'a/10.png']);
});

test('filter: every word, in the path, folder, top-1 label or error, any case', () => {
  assert.deepEqual(filterRows(rows, 'BEE').map((r) => r.rel), ['ants/10.png', 'bees/00.png', 'bees/02.png', 'bees/x.jpg']);
  assert.deepEqual(filterRows(rows, 'ants bee').map((r) => r.rel), ['ants/10.png']);
  assert.deepEqual(filterRows(rows, 'not an image').map((r) => r.rel), ['bees/x.jpg']);
  assert.equal(filterRows(rows, '  ').length, 5);
});
