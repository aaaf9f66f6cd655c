// The engine's inference on ONNX Runtime (the default for CPU backends) answers what the tfjs
// model answers, and says which runtime it used.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { Engine } from '../../../../src/engine/engine';
import { forward } from '../../../../src/engine/model/alexnet';
import { preprocessFile } from '../../../../src/engine/image';
import { FIXTURES } from '../../../helpers/paths';

const img = (name: string) => join(FIXTURES, 'images', name);

test('classify runs on ONNX Runtime once its session is ready, with the tfjs model\'s answers', { timeout: 180_000 }, async () => {
  const engine = new Engine();
  await engine.init('auto');
  await engine.loadModel('caffe', { kind: 'random', seed: 11 });
  assert.equal(await engine.onnxReady(), true, 'the ONNX session was not built');
  assert.match(engine.inferenceLabel(), /ONNX Runtime/);

  const { spec, params } = engine.requireModel();
  const inputs = await Promise.all(['rgb.jpg', 'grey.jpg'].map((f) => preprocessFile(img(f), spec)));
  const batch = new Float32Array(inputs.length * inputs[0].data.length);
  inputs.forEach((x, i) => batch.set(x.data, i * x.data.length));
  const viaOnnx = await engine.probabilities(batch, inputs.length);
  const ref = tf.tidy(() => forward(spec, params, tf.tensor4d(batch, [inputs.length, spec.inputSize, spec.inputSize, 3]), { softmax: true }).output);
  const viaTfjs = ref.dataSync();
  ref.dispose();
  let maxErr = 0;
  for (let i = 0; i < viaTfjs.length; i++) maxErr = Math.max(maxErr, Math.abs(viaOnnx[i] - viaTfjs[i]));
  assert.ok(maxErr < 1e-5, `max probability difference ${maxErr}`);

  const items = await engine.classifyFiles([img('rgb.jpg'), img('not-an-image.jpg')], { topK: 3 });
  assert.ok(items[0].ok && !items[1].ok);
  engine.disposeModel();
});
