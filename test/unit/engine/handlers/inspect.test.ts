// The engine's inspect requests on a real image file, through the same handlers the engine
// process serves (engine.model is set directly to a small hand-made model).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { Engine } from '../../../../src/engine/engine';
import { createInspectHandlers } from '../../../../src/engine/handlers/inspect';
import type { RequestContext } from '../../../../src/engine/handlers/context';
import { EngineFailure } from '../../../../src/engine/handlers/context';
import { AnalysisCache } from '../../../../src/engine/inspect/analysis';
import { forward } from '../../../../src/engine/model/alexnet';
import { preprocessFile } from '../../../../src/engine/image';
import { countParams } from '../../../../src/engine/model/spec';
import { randomNet, useCpu } from '../../../helpers/inspectNet';
import { FIXTURES } from '../../../helpers/paths';

// One engine and its inspect handlers, as server.ts builds them; the cache is ours to clear.
const engine = new Engine();
const analyses = new AnalysisCache(3);
const inspectHandlers = createInspectHandlers(engine, analyses);
const clearInspectCache = () => analyses.clear();

const image = join(FIXTURES, 'images/rgb.jpg');
const notAnImage = join(FIXTURES, 'images/not-an-image.jpg');

function ctx(signal = new AbortController().signal): RequestContext & { events: unknown[] } {
  const events: unknown[] = [];
  return { signal, events, emit: (e) => void events.push(e), progress: (done, total) => void events.push({ kind: 'progress', done, total }) };
}

before(async () => {
  await useCpu();
  const { spec, params } = randomNet('torchvision', 21);
  const classNames = Array.from({ length: spec.numClasses }, (_, i) => `class${i}`);
  engine.model = {
    spec,
    params,
    status: { variant: spec.variant, weightsLabel: 'test net', weights: { kind: 'random' }, untrained: true, numClasses: spec.numClasses, classNames, inputSize: spec.inputSize, parameters: countParams(spec), loadMs: 0 },
  };
});
after(() => clearInspectCache());

test('inspectFeatureMaps returns what the forward pass computes at that layer for the file', async () => {
  const { spec, params } = engine.requireModel();
  const input = await preprocessFile(image, spec);
  for (const layer of ['conv1', 'relu3', 'pool5', 'fc6']) {
    const maps = await inspectHandlers.inspectFeatureMaps({ path: image, layer }, ctx());
    const expected = tf.tidy(() => forward(spec, params, tf.tensor4d(input.data, input.shape), { upTo: layer }).output);
    const hwc = expected.dataSync();
    const c = expected.shape[expected.rank - 1];
    const plane = hwc.length / c;
    assert.equal(maps.channels, c, layer);
    assert.equal(maps.height * maps.width, plane, layer);
    assert.ok(maps.data instanceof Float32Array, 'travels as a typed array');
    let worst = 0;
    for (let ch = 0; ch < c; ch++) for (let p = 0; p < plane; p++) worst = Math.max(worst, Math.abs(maps.data[ch * plane + p] - hwc[p * c + ch]));
    assert.ok(worst < 1e-4, `${layer}: max difference ${worst}`);
    expected.dispose();
  }
});

test('inspectImage gives the top 5 in order, the crop the model saw, and the layer list', async () => {
  const info = await inspectHandlers.inspectImage({ path: image }, ctx());
  const { spec } = engine.requireModel();
  assert.equal(info.predictions.length, 5);
  for (let i = 1; i < 5; i++) assert.ok(info.predictions[i - 1].probability >= info.predictions[i].probability);
  assert.equal(info.predictions[0].label, `class${info.predictions[0].index}`);
  assert.deepEqual([info.input.width, info.input.height, info.input.rgba.length], [spec.inputSize, spec.inputSize, spec.inputSize ** 2 * 4]);
  assert.ok(info.layers.some((l) => l.name === 'conv3') && !info.layers.some((l) => l.kind === 'dropout' || l.kind === 'softmax'));
  assert.deepEqual(info.convLayers, ['conv1', 'conv2', 'conv3', 'conv4', 'conv5']);
  assert.equal(info.camLayer, 'relu5');
});

test('inspectGradCam explains the requested class on the last conv layer', async () => {
  const cam = await inspectHandlers.inspectGradCam({ path: image, classIndex: 3 }, ctx());
  assert.equal(cam.classIndex, 3);
  assert.equal(cam.label, 'class3');
  assert.deepEqual([cam.height, cam.width, cam.heatmap.length], [13, 13, 169]);
  assert.ok(cam.heatmap.every((v) => v >= 0 && v <= 1));
  assert.ok(cam.rawMax === 0 || Math.max(...cam.heatmap) === 1);
});

test('bad layers, missing files and non-images are bad-input errors, not crashes', async () => {
  const code = async (p: Promise<unknown>) => p.then(() => 'ok', (e: unknown) => (e instanceof EngineFailure ? e.code : `other: ${e}`));
  assert.equal(await code(inspectHandlers.inspectFeatureMaps({ path: image, layer: 'conv9' }, ctx())), 'bad-input');
  assert.equal(await code(inspectHandlers.inspectFeatureMaps({ path: '/no/such/file.jpg', layer: 'conv1' }, ctx())), 'bad-input');
  assert.equal(await code(inspectHandlers.inspectFeatureMaps({ path: notAnImage, layer: 'conv1' }, ctx())), 'not-an-image');
  assert.equal(await code(inspectHandlers.inspectFilters({ layer: 'fc6' }, ctx())), 'bad-input');
  assert.equal(await code(inspectHandlers.inspectGradCam({ path: image, classIndex: 99 }, ctx())), 'bad-input');
});

test('inspectFilters returns a slice of a layer', async () => {
  const block = await inspectHandlers.inspectFilters({ layer: 'conv2', start: 2, count: 3 }, ctx());
  assert.deepEqual([block.start, block.count, block.kernel, block.inPerGroup], [2, 3, 5, 8]);
  assert.equal(block.weights.length, 3 * 5 * 5 * 8);
});

test('inspectSynthesize reports progress and previews, and stops on cancel', async () => {
  const c = ctx();
  const done = await inspectHandlers.inspectSynthesize({ layer: 'conv2', channel: 1, steps: 4, size: 64, previewEvery: 2 }, c);
  assert.equal(done.steps, 4);
  assert.deepEqual(c.events.filter((e) => (e as { kind: string }).kind === 'progress').map((e) => (e as { done: number }).done), [1, 2, 3, 4]);
  assert.equal(c.events.filter((e) => (e as { kind: string }).kind === 'synthPreview').length, 1);
  const controller = new AbortController();
  const cancelled = ctx(controller.signal);
  const run = inspectHandlers.inspectSynthesize({ layer: 'conv2', channel: 1, steps: 500, size: 64 }, { ...cancelled, progress: (d) => d === 2 && controller.abort() });
  await assert.rejects(run, (e: unknown) => e instanceof EngineFailure && e.code === 'cancelled');
});
