// Sliced gradients (train/microBatch.ts) against one pass over the whole batch.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-backend-cpu';
import { slicedVariableGrads, sliceSizeFor, WASM_SLICE } from '../../src/extension/engine/train/microBatch';

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

test('only wasm steps that train convolutions are sliced', () => {
  assert.equal(sliceSizeFor('wasm', 128, true), WASM_SLICE);
  assert.equal(sliceSizeFor('wasm', 16, true), 16);
  assert.equal(sliceSizeFor('wasm', 128, false), 128);
  assert.equal(sliceSizeFor('tensorflow', 128, true), 128);
  assert.throws(() => slicedVariableGrads(4, 0, () => tf.scalar(0)), /positive integer/);
});
