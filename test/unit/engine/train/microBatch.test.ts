// Sliced gradients (train/microBatch.ts) against one pass over the whole batch.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-backend-cpu';
import { slicedVariableGrads, sliceSizeFor, WASM_MAX_SLICE } from '../../../../src/engine/train/microBatch';
import { makeSpec } from '../../../../src/engine/model/spec';

test('gradients summed over slices equal the whole batch\'s, and nothing leaks', async () => {
  await tf.setBackend('cpu');
  const n = 10;
  const x = tf.randomNormal([n, 7], 0, 1, 'float32', 1);
  const labels = tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2, 0, 1, 2, 2], 'int32'), 3);
  const w = tf.variable(tf.randomNormal([7, 3], 0, 0.5, 'float32', 2), true, 'mb-w');
  const b = tf.variable(tf.zeros([3]), true, 'mb-b');
  const meanLoss = (start: number, count: number) =>
    tf.losses.softmaxCrossEntropy(tf.slice(labels, start, count), tf.add(tf.matMul(tf.slice(x, start, count), w), b)) as tf.Scalar;
  const whole = tf.variableGrads(() => meanLoss(0, n));
  const before = tf.memory().numTensors;
  const sliced = slicedVariableGrads(n, 3, meanLoss); // slices of 3, 3, 3, 1
  assert.equal(tf.memory().numTensors, before + 1 + 2, 'only the loss and the two gradients remain');
  assert.ok(Math.abs(sliced.value.dataSync()[0] - whole.value.dataSync()[0]) < 1e-5, 'mean loss');
  for (const k of ['mb-w', 'mb-b']) {
    const got = sliced.grads[k].dataSync();
    const want = whole.grads[k].dataSync();
    want.forEach((v, i) => assert.ok(Math.abs(got[i] - v) < 1e-5, `${k}[${i}]: ${got[i]} vs ${v}`));
  }
  // a slice covering the batch is the plain variableGrads
  const one = slicedVariableGrads(n, 64, meanLoss);
  assert.ok(Math.abs(one.value.dataSync()[0] - whole.value.dataSync()[0]) < 1e-6);
  tf.dispose([x, labels, w, b, whole.value, sliced.value, one.value, ...Object.values(whole.grads), ...Object.values(sliced.grads), ...Object.values(one.grads)]);
});

test('only wasm steps that train convolutions are sliced, by the size of their layer outputs', () => {
  const tv = makeSpec('torchvision');
  assert.equal(sliceSizeFor('wasm', 128, true, tv), 64);
  assert.equal(sliceSizeFor('wasm', 128, true, makeSpec('paper')), 32, 'paper has 1.75x the layer outputs');
  assert.equal(sliceSizeFor('wasm', 16, true, tv), 16);
  assert.equal(sliceSizeFor('wasm', 128, false, tv), 128);
  assert.equal(sliceSizeFor('tensorflow', 128, true, tv), 128);
  assert.throws(() => slicedVariableGrads(4, 0, () => tf.scalar(0)), /positive integer/);
});

test('a wasm scratch run whose batch is sliced trains and counts every image of the batch', async () => {
  const { initBackend } = await import('../../../../src/engine/backend/select');
  const { startTraining } = await import('../../../../src/engine/train/trainer');
  const { openRun } = await import('../../../../src/engine/train/runFiles');
  const { makeClassFolders } = await import('../../../fixtures/train/makeDataset');
  const { rmSync } = await import('node:fs');
  const { join } = await import('node:path');
  assert.equal((await initBackend('wasm', { threads: 2 })).tfBackend, 'wasm');
  const root = await makeClassFolders(30, { seed: 3 });
  try {
    const batchSize = WASM_MAX_SLICE + 8; // 72 training images: one step in slices of 64 and 8
    const res = await startTraining(root, join(root, '.runs'), {
      variant: 'torchvision', mode: 'scratch', preset: 'paper', epochs: 2, batchSize, lr: 0.01, seed: 4, valFraction: 0.2,
      convChannels: [8, 16, 16, 16, 16], fcUnits: [64, 64], augment: { crop: false, flip: false, pca: false },
    }, {});
    assert.equal(res.cancelled, false);
    const { steps, epochs } = openRun(res.runDir);
    assert.deepEqual(steps.map((s) => s.batchSize), [batchSize, batchSize]);
    for (const s of steps) {
      assert.ok(Number.isFinite(s.loss) && s.loss > 0, `loss ${s.loss}`);
      const correct = s.acc * s.batchSize;
      assert.ok(Math.abs(correct - Math.round(correct)) < 1e-6 && correct >= 0 && correct <= s.batchSize, `acc ${s.acc} of ${s.batchSize}`);
    }
    assert.equal(epochs.length, 2);
    assert.equal(epochs[1].trainImages, 72);
  } finally {
    rmSync(root, { recursive: true, force: true });
    await tf.setBackend('cpu');
  }
});
