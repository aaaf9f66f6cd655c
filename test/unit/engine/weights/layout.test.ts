// The layout changes between PyTorch/Caffe and the canonical tfjs layout, each checked both
// element by element and by what it must preserve (the function the layer computes).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import {
  chwRowsToHwc, expandGroupedConv, hwcRowsToChw, hwioToOihw, oihwToHwio, transpose2d,
} from '../../../../src/engine/weights/layout';
import { HostTensor } from '../../../../src/engine/weights/hostTensor';
import { detectKeyStyle, pytorchToCanonical } from '../../../../src/engine/weights/pytorchKeys';

before(async () => {
  await tf.setBackend('cpu');
});

let seed = 1;
function random(shape: number[]): HostTensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    data[i] = seed / 2 ** 30 - 1;
  }
  return { shape, data };
}

test('OIHW -> HWIO moves element [o, i, h, w] to [h, w, i, o], and back', () => {
  const t = random([5, 3, 4, 2]);
  const [O, I, H, W] = t.shape;
  const r = oihwToHwio(t);
  assert.deepEqual(r.shape, [H, W, I, O]);
  for (let o = 0; o < O; o++)
    for (let i = 0; i < I; i++)
      for (let h = 0; h < H; h++)
        for (let w = 0; w < W; w++) assert.equal(r.data[((h * W + w) * I + i) * O + o], t.data[((o * I + i) * H + h) * W + w]);
  assert.deepEqual(hwioToOihw(r), t);
});

test('Linear [out, in] -> [in, out] is a transpose (including sizes past the blocking)', () => {
  const t = random([70, 131]);
  const r = transpose2d(t);
  assert.deepEqual(r.shape, [131, 70]);
  for (let i = 0; i < 70; i++) for (let j = 0; j < 131; j++) assert.equal(r.data[j * 70 + i], t.data[i * 131 + j]);
  assert.deepEqual(transpose2d(r), t);
});

test('fc6 rows C,H,W -> H,W,C: the NHWC flatten times the reordered weight equals the NCHW flatten times the original', () => {
  const [C, H, W, OUT] = [5, 3, 3, 7];
  const x = random([C, H, W]); // one image, PyTorch layout
  const torchW = random([OUT, C * H * W]);
  const yTorch = new Float64Array(OUT);
  for (let o = 0; o < OUT; o++) for (let k = 0; k < C * H * W; k++) yTorch[o] += torchW.data[o * C * H * W + k] * x.data[k];
  const canon = chwRowsToHwc(transpose2d(torchW), C, H, W);
  const xHwc = new Float32Array(C * H * W);
  for (let c = 0; c < C; c++) for (let h = 0; h < H; h++) for (let w = 0; w < W; w++) xHwc[(h * W + w) * C + c] = x.data[(c * H + h) * W + w];
  for (let o = 0; o < OUT; o++) {
    let y = 0;
    for (let k = 0; k < C * H * W; k++) y += xHwc[k] * canon.data[k * OUT + o];
    assert.ok(Math.abs(y - yTorch[o]) < 1e-5, `${y} vs ${yTorch[o]}`);
  }
  assert.deepEqual(hwcRowsToChw(canon, C, H, W), transpose2d(torchW));
  assert.throws(() => chwRowsToHwc(transpose2d(torchW), 4, H, W), /cannot reorder/);
});

test('grouped conv weights expand block-diagonally with exact zeros, and compute the same convolution', () => {
  const groups = 2;
  const w = random([3, 3, 4, 6]); // HWIO, in/groups = 4, 6 filters (3 per group)
  const full = expandGroupedConv(w, groups);
  assert.deepEqual(full.shape, [3, 3, 8, 6]);
  for (let hw = 0; hw < 9; hw++)
    for (let i = 0; i < 8; i++)
      for (let o = 0; o < 6; o++) {
        const v = full.data[(hw * 8 + i) * 6 + o];
        const gi = Math.floor(i / 4);
        const go = Math.floor(o / 3);
        if (gi !== go) assert.equal(v, 0);
        else assert.equal(v, w.data[(hw * 4 + (i % 4)) * 6 + o]);
      }
  const x = tf.tensor4d(random([1, 7, 7, 8]).data, [1, 7, 7, 8]);
  const ws = tf.split(tf.tensor4d(w.data, w.shape as [number, number, number, number]), groups, 3);
  const grouped = tf.concat(tf.split(x, groups, 3).map((xi, g) => tf.conv2d(xi as tf.Tensor4D, ws[g] as tf.Tensor4D, 1, 1)), 3);
  const expanded = tf.conv2d(x, tf.tensor4d(full.data, [3, 3, 8, 6]), 1, 1);
  const diff = tf.max(tf.abs(tf.sub(grouped, expanded))).dataSync()[0];
  assert.ok(diff < 1e-5, `grouped vs expanded differ by ${diff}`);
});

test('torchvision and notebook state_dict keys map to the canonical names', () => {
  const t = (shape: number[]) => random(shape);
  const tv = {
    'features.0.weight': t([4, 3, 11, 11]), 'features.0.bias': t([4]), 'features.10.weight': t([2, 3, 3, 3]), 'features.10.bias': t([2]),
    'classifier.1.weight': t([5, 72]), 'classifier.6.bias': t([3]), 'extra.thing': t([1]),
  };
  assert.equal(detectKeyStyle(Object.keys(tv)), 'torchvision');
  const { params, sources } = pytorchToCanonical(tv, 'torchvision');
  assert.deepEqual(Object.keys(params).sort(), ['conv1.bias', 'conv1.weight', 'conv5.bias', 'conv5.weight', 'extra.thing', 'fc6.weight', 'fc8.bias']);
  assert.deepEqual(params['conv1.weight'].shape, [11, 11, 3, 4]);
  assert.deepEqual(params['fc6.weight'].shape, [72, 5]);
  // fc6 was reordered for conv5's 2 channels on a 6x6 grid
  assert.deepEqual(params['fc6.weight'], chwRowsToHwc(transpose2d(tv['classifier.1.weight']), 2, 6, 6));
  assert.equal(sources['fc6.weight'], 'classifier.1.weight');
  const nb = ['convolution.0', 'convolution.4', 'convolution.8', 'convolution.10', 'convolution.12', 'fully_connected.0', 'fully_connected.3', 'fully_connected.6'];
  const nbTensors = Object.fromEntries(nb.map((k) => [`${k}.bias`, t([2])]));
  assert.equal(detectKeyStyle(Object.keys(nbTensors)), 'notebook');
  assert.deepEqual(Object.keys(pytorchToCanonical(nbTensors, 'notebook').params), ['conv1', 'conv2', 'conv3', 'conv4', 'conv5', 'fc6', 'fc7', 'fc8'].map((n) => `${n}.bias`));
});
