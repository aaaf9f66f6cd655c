import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { synthesize, SynthesisCancelled, roll, blur } from '../../../../src/engine/inspect/synthesize';
import * as tf from '@tensorflow/tfjs-core';
import { randomNet, redGreenNet, useCpu } from '../../../helpers/inspectNet';

before(useCpu);

function meanRgb(rgba: Uint8ClampedArray): [number, number, number] {
  const sum = [0, 0, 0];
  for (let i = 0; i < rgba.length; i += 4) for (let c = 0; c < 3; c++) sum[c] += rgba[i + c];
  const n = rgba.length / 4;
  return [sum[0] / n, sum[1] / n, sum[2] / n];
}

test('synthesising the "red minus green" channel paints red; the other channel paints green', async () => {
  const model = redGreenNet();
  const red = await synthesize(model.spec, model.params, { layer: 'relu1', channel: 0, steps: 8, size: 48, seed: 2 });
  const green = await synthesize(model.spec, model.params, { layer: 'relu1', channel: 1, steps: 8, size: 48, seed: 2 });
  const [rR, rG] = meanRgb(red.image.rgba);
  const [gR, gG] = meanRgb(green.image.rgba);
  assert.ok(rR - rG > 100, `red image: R ${rR} G ${rG}`);
  assert.ok(gG - gR > 100, `green image: R ${gR} G ${gG}`);
  assert.ok(red.finalActivation > red.initialActivation + 1, `${red.initialActivation} -> ${red.finalActivation}`);
  assert.deepEqual([red.image.width, red.image.height, red.image.rgba.length], [48, 48, 48 * 48 * 4]);
});

test('gradient ascent raises a deep channel of a random network, with progress and previews', async () => {
  const model = randomNet('torchvision', 3);
  const steps: number[] = [];
  const previews: number[] = [];
  const before = tf.memory().numTensors;
  const result = await synthesize(
    model.spec,
    model.params,
    { layer: 'conv3', channel: 5, steps: 10, size: 96, seed: 1, previewEvery: 4 },
    { onStep: (s) => void steps.push(s), onPreview: (s, _n, _a, img) => void previews.push(s + img.width * 0) },
  );
  assert.ok(result.finalActivation > result.initialActivation + 0.25, `${result.initialActivation} -> ${result.finalActivation}`);
  assert.deepEqual(steps, Array.from({ length: 10 }, (_, i) => i + 1));
  assert.deepEqual(previews, [4, 8]);
  assert.equal(tf.memory().numTensors, before, 'no tensors leak');
});

test('synthesis stops when cancelled and refuses an unknown channel', async () => {
  const model = redGreenNet();
  const controller = new AbortController();
  let last = 0;
  await assert.rejects(
    synthesize(model.spec, model.params, { layer: 'conv1', channel: 0, steps: 50, size: 32 }, {
      signal: controller.signal,
      onStep: (s) => {
        last = s;
        if (s === 3) controller.abort();
      },
    }),
    SynthesisCancelled,
  );
  assert.equal(last, 3);
  await assert.rejects(synthesize(model.spec, model.params, { layer: 'conv1', channel: 2 }), /out of range/);
  await assert.rejects(synthesize(model.spec, model.params, { layer: 'nope', channel: 0 }), /no layer/);
});

test('roll shifts circularly and blur keeps a constant image constant', () => {
  const x = tf.tensor4d([1, 2, 3, 4, 5, 6], [1, 2, 3, 1]);
  assert.deepEqual(Array.from(roll(x, 1, 1).dataSync()), [6, 4, 5, 3, 1, 2]);
  assert.deepEqual(Array.from(roll(roll(x, 1, -2), -1, 2).dataSync()), [1, 2, 3, 4, 5, 6]);
  const flat = tf.fill([1, 5, 5, 3], 0.3) as tf.Tensor4D;
  assert.ok(tf.max(tf.abs(tf.sub(blur(flat), 0.3))).dataSync()[0] < 1e-6);
});
