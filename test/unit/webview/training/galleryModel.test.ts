// What the gallery and Top losses show: a cell's images, the most confidently wrong first; the
// misclassified images by loss; each image described in words; and the host's mapping from a
// val-<epoch>.json record (paths made absolute, webview URIs, edits made from the view).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { GalleryImage } from '../../../../src/protocol/webview/training';
import { cellImages, editLine, probability, TOP_LOSSES, topLine, topLosses, verdict } from '../../../../src/webview/training/galleryModel';
import { galleryImages, noRecordMessage } from '../../../../src/extension/train/runView';

const names = ['cat', 'dog', 'fox'];
const img = (path: string, actual: number, predicted: number, loss: number): GalleryImage => ({
  path, src: `src:${path}`, actual, predicted, loss, pActual: Math.exp(-loss),
  top: actual === predicted ? [[actual, Math.exp(-loss)]] : [[predicted, 1 - Math.exp(-loss)], [actual, Math.exp(-loss)]],
});

test('a cell lists its images, highest loss first; Top losses only the misclassified ones, at most 12', () => {
  const images = [img('a', 0, 1, 0.9), img('b', 0, 1, 2.5), img('c', 0, 0, 0.1), img('d', 1, 1, 1.2), img('e', 0, 1, 2.5)];
  assert.deepEqual(cellImages(images, 0, 1).map((i) => i.path), ['b', 'e', 'a'], 'ties by path');
  assert.deepEqual(cellImages(images, 0, 0).map((i) => i.path), ['c']);
  assert.deepEqual(cellImages(images, 2, 2), []);
  assert.deepEqual(topLosses(images).map((i) => i.path), ['b', 'e', 'a'], 'd is correct, however unsure');
  const many = Array.from({ length: 30 }, (_, k) => img(`w${k}`, 1, 2, k / 10));
  const top = topLosses(many);
  assert.equal(top.length, TOP_LOSSES);
  assert.equal(top[0].path, 'w29');
  assert.ok(top.every((t, k) => k === 0 || t.loss <= top[k - 1].loss));
});

test('each image in words: truth and prediction with probabilities, the top classes, the edit', () => {
  const wrong: GalleryImage = { path: '/d/cat/a.png', src: '', actual: 0, predicted: 1, loss: 2.3, pActual: 0.1, top: [[1, 0.85], [0, 0.1], [2, 0.05]] };
  assert.equal(verdict(wrong, names), 'true: cat 10% · predicted: dog 85%');
  assert.equal(topLine(wrong, names), 'dog 85% · cat 10% · fox 5.0%');
  assert.equal(verdict({ ...wrong, predicted: 0, pActual: 0.999, top: [[0, 0.999]] }, names), 'cat 99.9% (correct)');
  assert.equal(probability(0.0004), '<0.1%');
  assert.equal(editLine(wrong, names), null);
  assert.equal(editLine({ ...wrong, edit: { kind: 'move', to: '/d/dog/a.png', src: '', className: 'dog' } }, names), 'Moved to dog');
  assert.equal(editLine({ ...wrong, edit: { kind: 'move', to: '/d/dog/a-2.png', src: '', className: 'dog' } }, names), 'Moved to dog as a-2.png');
  assert.equal(editLine({ ...wrong, edit: { kind: 'exclude', to: '/d/.alexnet/excluded/cat/a.png', src: '' } }, names), 'Excluded (in .alexnet/excluded/)');
});

test('the host maps a record to gallery images: absolute paths, webview URIs, edits', () => {
  const record = {
    version: 1 as const, epoch: 2, folder: '/data', classNames: names,
    images: [{ path: join('cat', 'a.png'), actual: 0, predicted: 1, loss: 1, pActual: 0.37, top: [[1, 0.6], [0, 0.37]] as [number, number][] }],
  };
  const edit = { kind: 'exclude' as const, to: '/data/.alexnet/excluded/cat/a.png', src: 'uri:x' };
  const [g] = galleryImages(record, (p) => `uri:${p}`, (p) => (p === join('/data', 'cat', 'a.png') ? edit : undefined));
  assert.equal(g.path, join('/data', 'cat', 'a.png'));
  assert.equal(g.src, `uri:${join('/data', 'cat', 'a.png')}`);
  assert.deepEqual(g.edit, edit);
  assert.equal(galleryImages(record, (p) => p, () => undefined)[0].edit, undefined);
  assert.match(noRecordMessage(3, [2, 5]), /best and the last epoch only \(epoch 2 and epoch 5\); epoch 3 has none/);
  assert.match(noRecordMessage(3, []), /no per-image validation results/);
});
