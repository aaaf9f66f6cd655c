// The extension host's logic that needs no VS Code: which weights load, CSV/JSON export, the
// folders a results page may read, and which files a folder classification picks up.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chooseWeights, describeWeights } from '../../../src/extension/weights/weightsChoice';
import { imageRoots, resultsToCsv, resultsToJson } from '../../../src/extension/classify/resultsExport';
import { isImagePath, listImages } from '../../../src/extension/classify/listImages';
import { backendNotes, describeBackend } from '../../../src/extension/engine/backendLabel';
import type { ClassifyItem } from '../../../src/protocol/engine';

test('weights: the setting wins over a session choice and the managed copy; nothing known means ask', () => {
  const all = { settingPath: '/w/mine.pth', sessionChoice: { kind: 'random' as const }, managedPath: '/store/alexnet.pth' };
  assert.deepEqual(chooseWeights(all), { source: { kind: 'file', path: '/w/mine.pth' }, origin: 'setting' });
  assert.deepEqual(chooseWeights({ ...all, settingPath: undefined }), { source: { kind: 'random' }, origin: 'session' });
  assert.deepEqual(chooseWeights({ managedPath: '/store/alexnet.pth' }), { source: { kind: 'file', path: '/store/alexnet.pth' }, origin: 'managed' });
  assert.deepEqual(chooseWeights({}), { origin: 'ask' });
  assert.equal(chooseWeights({ settingPath: '' }).origin, 'ask');
});

test('weights: descriptions label random weights as untrained', () => {
  assert.deepEqual(describeWeights({ source: { kind: 'random' }, origin: 'session' }), { text: 'untrained (random weights)', untrained: true });
  assert.deepEqual(describeWeights({ source: { kind: 'file', path: '/s/alexnet-owt.pth' }, origin: 'managed' }), { text: 'pretrained', untrained: false });
  assert.deepEqual(describeWeights({ source: { kind: 'file', path: 'C:\\w\\mine.npy' }, origin: 'setting' }), { text: 'mine.npy', untrained: false });
  assert.equal(describeWeights({ origin: 'ask' }).text, 'no weights');
});

const items: ClassifyItem[] = [
  {
    path: '/photos/a, "quoted".jpg',
    ok: true,
    width: 10,
    height: 20,
    ms: 5,
    predictions: [
      { index: 1, label: 'goldfish', synset: 'n01443537', probability: 0.75 },
      { index: 0, label: 'tench', synset: 'n01440764', probability: 0.25 },
    ],
  },
  { path: '/photos/bad.jpg', ok: false, error: 'Input buffer contains unsupported image format', code: 'bad-image' },
];

test('CSV: header per rank, quoting, failed rows keep their error and leave predictions empty', () => {
  const lines = resultsToCsv(items, 2).split('\r\n');
  assert.equal(lines[0], 'path,status,error,label_1,synset_1,probability_1,label_2,synset_2,probability_2');
  assert.equal(lines[1], '"/photos/a, ""quoted"".jpg",ok,,goldfish,n01443537,0.75,tench,n01440764,0.25');
  assert.equal(lines[2], '/photos/bad.jpg,bad-image,Input buffer contains unsupported image format,,,,,,');
  assert.equal(lines[3], '');
  assert.equal(lines.length, 4);
  // Fewer predictions than K: the missing ranks are empty, not 'undefined'.
  assert.ok(!resultsToCsv(items, 3).includes('undefined'));
});

test('JSON: carries the model context so untrained results stay labelled when pasted elsewhere', () => {
  const parsed = JSON.parse(resultsToJson(items, { variant: 'torchvision', weightsLabel: 'untrained (random weights)', untrained: true, backend: 'wasm' }));
  assert.equal(parsed.model.untrained, true);
  assert.equal(parsed.results.length, 2);
  assert.equal(parsed.results[0].predictions[0].probability, 0.75);
});

test('imageRoots: one folder per image, nested folders folded into their parent', () => {
  assert.deepEqual(imageRoots(['/a/b/1.jpg', '/a/b/c/2.jpg', '/a/bc/3.jpg', '/x/4.png', '/a/b/5.jpg']), ['/a/b', '/a/bc', '/x']);
  assert.deepEqual(imageRoots([]), []);
});

test('listImages: recursive, sorted, image extensions only, hidden folders skipped, capped', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'alexnet-list-'));
  try {
    for (const f of ['b.JPG', 'a.png', 'notes.txt', 'sub/c.webp', 'sub/d.tiff', '.hidden/e.jpg', 'node_modules/f.png', 'g.jpeg.bak']) {
      mkdirSync(join(dir, f, '..'), { recursive: true });
      writeFileSync(join(dir, f), 'x');
    }
    const all = await listImages(dir);
    assert.deepEqual(all.paths.map((p) => p.slice(dir.length + 1)), ['a.png', 'b.JPG', 'sub/c.webp', 'sub/d.tiff']);
    assert.equal(all.truncated, false);
    const capped = await listImages(dir, 3);
    assert.equal(capped.paths.length, 3);
    assert.equal(capped.truncated, true);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.ok(isImagePath('/x/Y.TIF') && isImagePath('a.gif') && !isImagePath('a.svg') && !isImagePath('jpg'));
});

test('backend labels: GPU, native CPU, WASM with threads, JS', () => {
  assert.equal(describeBackend({ kind: 'gpu', threads: 4 }), 'GPU');
  assert.equal(describeBackend({ kind: 'native-cpu' }), 'CPU');
  assert.equal(describeBackend({ kind: 'wasm', threads: 2 }), 'WASM ×2');
  assert.equal(describeBackend({ kind: 'wasm', threads: 1 }), 'WASM');
  assert.equal(describeBackend({ kind: 'js-cpu' }), 'JS');
  assert.equal(describeBackend(undefined), undefined);
  assert.deepEqual(backendNotes({ skipped: [{ name: 'tfjs-node', reason: 'not installed' }], notes: ['threads fell back to 1'] }), [
    'tfjs-node skipped: not installed',
    'threads fell back to 1',
  ]);
});
