// The engine's inspect requests on a full-size model: once the background ONNX session is ready
// (built with every inspectable layer as an output) the feature maps come from it and say so,
// with tfjs's numbers; with inference pinned to tfjs they come from the tfjs backend again.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { Engine } from '../../../../src/engine/engine';
import { createInspectHandlers } from '../../../../src/engine/handlers/inspect';
import type { RequestContext } from '../../../../src/engine/handlers/context';
import { activationLayers, AnalysisCache } from '../../../../src/engine/inspect/analysis';
import { forward } from '../../../../src/engine/model/alexnet';
import { preprocessFile } from '../../../../src/engine/image';
import { FIXTURES } from '../../../helpers/paths';

// One engine and its inspect handlers, as server.ts builds them; the cache is ours to clear.
const engine = new Engine();
const analyses = new AnalysisCache(3);
const inspectHandlers = createInspectHandlers(engine, analyses);
const clearInspectCache = () => analyses.clear();

const image = join(FIXTURES, 'images/rgb.jpg');

function ctx(): RequestContext {
  return { signal: new AbortController().signal, emit: () => {}, progress: () => {} };
}

after(() => {
  clearInspectCache();
  engine.disposeModel();
});

/** The request's channel-major maps against tfjs's NHWC forward pass stopped at the layer. */
async function assertMapsMatchTfjs(layer: string, expected: RegExp): Promise<void> {
  const { spec, params } = engine.requireModel();
  const maps = await inspectHandlers.inspectFeatureMaps({ path: image, layer }, ctx());
  assert.match(maps.runtime, expected, `${layer}: runtime`);
  const input = await preprocessFile(image, spec);
  const ref = tf.tidy(() => forward(spec, params, tf.tensor4d(input.data, input.shape), { upTo: layer }).output);
  const hwc = ref.dataSync();
  const c = ref.shape[ref.rank - 1];
  ref.dispose();
  const plane = hwc.length / c;
  assert.deepEqual([maps.channels, maps.height * maps.width], [c, plane], layer);
  let worst = 0;
  let scale = 1e-6;
  for (let ch = 0; ch < c; ch++)
    for (let p = 0; p < plane; p++) {
      worst = Math.max(worst, Math.abs(maps.data[ch * plane + p] - hwc[p * c + ch]));
      scale = Math.max(scale, Math.abs(hwc[p * c + ch]));
    }
  assert.ok(worst <= 1e-4 * scale, `${layer}: max error ${worst} at scale ${scale}`);
}

test('feature maps come from the engine\'s ONNX session when it is ready, from tfjs when inference is pinned to tfjs', { timeout: 180_000 }, async () => {
  await engine.init('auto');
  await engine.loadModel('torchvision', { kind: 'random', seed: 3 });
  assert.equal(await engine.onnxReady(), true, 'the ONNX session was not built');
  const { spec, onnx } = engine.requireModel();
  const collectable = new Set(onnx!.collectable);
  for (const layer of activationLayers(spec)) assert.ok(collectable.has(layer), `the session cannot return ${layer}`);

  const info = await inspectHandlers.inspectImage({ path: image }, ctx());
  assert.match(info.runtime, /ONNX Runtime/);
  for (const layer of ['conv1', 'pool2', 'relu5', 'fc6', 'fc8']) await assertMapsMatchTfjs(layer, /ONNX Runtime/);
  // Grad-CAM still works on the same (ORT-made) analysis: it uses tfjs's gradients.
  const cam = await inspectHandlers.inspectGradCam({ path: image }, ctx());
  assert.equal(cam.classIndex, info.predictions[0].index);

  engine.inferenceRuntime = 'tfjs';
  clearInspectCache();
  const backendLabel = engine.requireBackend().label;
  const again = await inspectHandlers.inspectImage({ path: image }, ctx());
  assert.equal(again.runtime, backendLabel);
  assert.doesNotMatch(again.runtime, /ONNX/);
  assert.deepEqual(again.predictions.map((p) => p.index), info.predictions.map((p) => p.index));
  for (let i = 0; i < info.predictions.length; i++) assert.ok(Math.abs(again.predictions[i].probability - info.predictions[i].probability) < 1e-5);
  await assertMapsMatchTfjs('relu5', new RegExp(backendLabel.replace(/[()]/g, '\\$&')));
  engine.inferenceRuntime = 'auto';
});
