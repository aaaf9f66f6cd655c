// Training maths without images: split, PCA colour augmentation, the paper's SGD, crops, confusion.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { stratifiedSplit } from '../../../../src/engine/train/dataset';
import { colourPca, pcaShift, RgbCovariance, symmetricEigen3 } from '../../../../src/engine/train/pca';
import { MomentumSgd } from '../../../../src/engine/train/sgd';
import { centreCrop, cropNormalise } from '../../../../src/engine/train/augment';
import { ConfusionMatrix } from '../../../../src/engine/train/metrics';
import { Rng } from '../../../../src/engine/train/rng';
import { CAFFE_BGR, IMAGENET_RGB } from '../../../../src/engine/model/spec';

test('stratified split is deterministic, stratified, and keeps a training image per class', () => {
  const classes = [
    Array.from({ length: 50 }, (_, i) => `a/${i}.jpg`),
    Array.from({ length: 10 }, (_, i) => `b/${i}.jpg`),
    ['c/only.jpg'],
    ['d/0.jpg', 'd/1.jpg'],
  ];
  const s1 = stratifiedSplit(classes, 0.2, 42);
  const s2 = stratifiedSplit(classes.map((c) => [...c].reverse()), 0.2, 42); // input order must not matter
  assert.deepEqual(s1, s2);
  const count = (l: { label: number }[], label: number) => l.filter((x) => x.label === label).length;
  assert.equal(count(s1.val, 0), 10);
  assert.equal(count(s1.val, 1), 2);
  assert.equal(count(s1.val, 2), 0, 'a single image stays in training');
  assert.equal(count(s1.val, 3), 1, 'two images: one held out');
  assert.equal(s1.train.length + s1.val.length, 63);
  const all = new Set([...s1.train, ...s1.val].map((x) => x.path));
  assert.equal(all.size, 63, 'no image in both sets');
  const other = stratifiedSplit(classes, 0.2, 43);
  assert.notDeepEqual(other.val.map((x) => x.path), s1.val.map((x) => x.path), 'another seed, another split');
  assert.equal(stratifiedSplit(classes, 0, 42).val.length, 0);
});

test('3x3 eigen decomposition recovers a known covariance', () => {
  // R = rotation about an oblique axis; C = R diag(l) R^T
  const l = [0.05, 0.01, 0.002];
  const ax = [1, 2, 3].map((v) => v / Math.sqrt(14));
  const th = 0.7;
  const c = Math.cos(th);
  const s = Math.sin(th);
  const R = [0, 1, 2].map((i) => [0, 1, 2].map((j) => (i === j ? c : 0) + (1 - c) * ax[i] * ax[j] + s * (i === j ? 0 : [[0, -ax[2], ax[1]], [ax[2], 0, -ax[0]], [-ax[1], ax[0], 0]][i][j])));
  const C = [0, 1, 2].map((i) => [0, 1, 2].map((j) => l.reduce((acc, lk, k) => acc + R[i][k] * lk * R[j][k], 0)));
  const { values, vectors } = symmetricEigen3(C);
  values.forEach((v, i) => assert.ok(Math.abs(v - l[i]) < 1e-12, `eigenvalue ${i}: ${v} vs ${l[i]}`));
  vectors.forEach((p, i) => {
    const col = [R[0][i], R[1][i], R[2][i]];
    const dot = p.reduce((a, v, k) => a + v * col[k], 0);
    assert.ok(Math.abs(Math.abs(dot) - 1) < 1e-9, `eigenvector ${i} matches up to sign`);
    // C p = lambda p
    const Cp = [0, 1, 2].map((r) => C[r].reduce((a, v, k) => a + v * p[k], 0));
    Cp.forEach((v, k) => assert.ok(Math.abs(v - values[i] * p[k]) < 1e-12));
  });
});

test('colour PCA from pixels drawn with a known covariance', () => {
  // pixels = mean + L z (z ~ N(0, I)), so cov = L L^T
  const L = [[40, 0, 0], [30, 20, 0], [10, -15, 8]];
  const rng = new Rng(3);
  const n = 200_000;
  const rgb = new Uint8Array(n * 3);
  for (let p = 0; p < n; p++) {
    const z = [rng.normal(), rng.normal(), rng.normal()];
    for (let c = 0; c < 3; c++) rgb[p * 3 + c] = Math.max(0, Math.min(255, Math.round(128 + L[c][0] * z[0] + L[c][1] * z[1] + L[c][2] * z[2])));
  }
  const cov = new RgbCovariance();
  cov.add(rgb);
  const pca = colourPca(cov);
  const want = [0, 1, 2].map((i) => [0, 1, 2].map((j) => (L[i][0] * L[j][0] + L[i][1] * L[j][1] + L[i][2] * L[j][2]) / 255 ** 2));
  const exact = symmetricEigen3(want);
  pca.eigenvalues.forEach((v, i) => assert.ok(Math.abs(v - exact.values[i]) / exact.values[0] < 0.02, `lambda ${i}: ${v} vs ${exact.values[i]}`));
  assert.ok(Math.abs(pca.eigenvectors[0].reduce((a, v, k) => a + v * exact.vectors[0][k], 0)) > 0.999);
  // the shift is sum_i alpha_i lambda_i p_i
  const shift = pcaShift(pca, [1, 0, 0]);
  shift.forEach((v, k) => assert.ok(Math.abs(v - pca.eigenvalues[0] * pca.eigenvectors[0][k]) < 1e-15));
  const mixed = pcaShift(pca, [0.1, -0.2, 0.3]);
  mixed.forEach((v, k) => {
    const want = [0.1, -0.2, 0.3].reduce((a, al, i) => a + al * pca.eigenvalues[i] * pca.eigenvectors[i][k], 0);
    assert.ok(Math.abs(v - want) < 1e-15);
  });
});

test('SGD step matches the paper update rule by hand', async () => {
  await tf.setBackend('cpu');
  const lr = 0.1;
  const wd = 0.0005;
  const m = 0.9;
  const w = tf.variable(tf.tensor1d([1, -2, 0.5]), true);
  const g = tf.tensor1d([0.3, 0.1, -0.4]);
  const sgd = new MomentumSgd(m, wd);
  sgd.init({ w });
  // step 1: v = -wd*lr*w - lr*g ; w = w + v
  sgd.apply({ w }, { w: g }, lr);
  const w0 = [1, -2, 0.5];
  const gv = [0.3, 0.1, -0.4];
  const v1 = w0.map((x, i) => -wd * lr * x - lr * gv[i]);
  const w1 = w0.map((x, i) => x + v1[i]);
  (w.dataSync() as Float32Array).forEach((x, i) => assert.ok(Math.abs(x - w1[i]) < 1e-6, `w1[${i}]`));
  // step 2 uses the momentum: v = m*v - wd*lr*w - lr*g
  sgd.apply({ w }, { w: g }, lr / 10);
  const v2 = w1.map((x, i) => m * v1[i] - wd * (lr / 10) * x - (lr / 10) * gv[i]);
  const w2 = w1.map((x, i) => x + v2[i]);
  (w.dataSync() as Float32Array).forEach((x, i) => assert.ok(Math.abs(x - w2[i]) < 1e-6, `w2[${i}]`));
  (sgd.velocity.get('w')!.dataSync() as Float32Array).forEach((x, i) => assert.ok(Math.abs(x - v2[i]) < 1e-6, `v2[${i}]`));
  sgd.dispose();
  w.dispose();
  g.dispose();
});

test('crop, flip, colour shift and normalisation write the right values', () => {
  // 4x3 image, pixel value encodes its position
  const width = 4;
  const height = 3;
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) for (let c = 0; c < 3; c++) data[(y * width + x) * 3 + c] = 10 * y + x + 100 * c;
  const img = { data, width, height };
  const out = new Float32Array(2 * 2 * 3);
  cropNormalise(img, 2, { x: 1, y: 1, flip: true, shift: [0, 0, 0] }, CAFFE_BGR, out, 0);
  // output (row 0, col 0) is source (x=2, y=1) when flipped; channel 0 is B = source channel 2, minus mean[0]
  assert.equal(out[0], 10 * 1 + 2 + 200 - 104);
  assert.equal(out[2], 10 * 1 + 2 + 0 - 124);
  assert.equal(out[3], 10 * 1 + 1 + 200 - 104);
  cropNormalise(img, 2, { x: 0, y: 0, flip: false, shift: [0.1, 0, 0] }, IMAGENET_RGB, out, 0);
  assert.ok(Math.abs(out[0] - (0 / 255 + 0.1 - 0.485) / 0.229) < 1e-6);
  assert.ok(Math.abs(out[4] - (101 / 255 - 0.456) / 0.224) < 1e-6, 'pixel (1,0) green');
  assert.deepEqual(centreCrop({ width: 300, height: 256 }, 224), { x: 38, y: 16, flip: false, shift: [0, 0, 0] });
  assert.throws(() => cropNormalise(img, 2, { x: 3, y: 0, flip: false, shift: [0, 0, 0] }, IMAGENET_RGB, out, 0), RangeError);
});

test('confusion matrix: counts, precision, recall, examples', () => {
  const cm = new ConfusionMatrix(3, 2);
  const pairs = [[0, 0], [0, 0], [0, 1], [1, 1], [1, 1], [1, 1], [2, 0], [0, 1], [0, 1]];
  pairs.forEach(([a, p], i) => cm.add(a, p, `img${i}`));
  assert.equal(cm.total, pairs.length);
  assert.deepEqual(cm.counts, [[2, 3, 0], [0, 3, 0], [1, 0, 0]]);
  assert.equal(cm.accuracy, 5 / 9);
  assert.deepEqual(cm.precision(), [2 / 3, 3 / 6, null]);
  assert.deepEqual(cm.recall(), [2 / 5, 1, 0]);
  const cell = cm.exampleList().find((e) => e.actual === 0 && e.predicted === 1)!;
  assert.deepEqual(cell.paths, ['img2', 'img7'], 'at most examplesPerCell, in order');
});
