// Feature-map analyses on ONNX Runtime: every layer's activation equals tfjs's (cpu backend) on
// channel-reduced copies of every variant with random weights, and ImageAnalysis.analyse picks
// ONNX Runtime only when the session can return every layer, tfjs otherwise.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { ImageAnalysis, AnalysisCache, activationLayers, onnxCanAnalyse } from '../../../../src/engine/inspect/analysis';
import { createOnnxRuntime, type HostParam, type OnnxRuntime } from '../../../../src/engine/onnx';
import type { ModelSpec } from '../../../../src/engine/model/spec';
import type { Params } from '../../../../src/engine/model/alexnet';
import { randomInput, randomNet, useCpu } from '../../../helpers/inspectNet';


before(useCpu);

function hostParams(params: Params): Record<string, HostParam> {
  const host: Record<string, HostParam> = {};
  for (const [name, t] of Object.entries(params)) host[name] = { shape: t.shape, data: t.dataSync() as Float32Array };
  return host;
}

function session(spec: ModelSpec, params: Params, collect: string[]): Promise<OnnxRuntime> {
  return createOnnxRuntime(spec, hostParams(params), { threads: 1, collect });
}

/** max |actual - expected| over max |expected| */
function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  assert.equal(actual.length, expected.length);
  let worst = 0;
  let scale = 1e-6;
  for (let i = 0; i < expected.length; i++) {
    worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  return worst / scale;
}

for (const variant of ['paper', 'caffe', 'torchvision'] as const) {
  test(`${variant}: every layer's activation from ONNX Runtime equals tfjs's within 1e-4 relative`, async () => {
    const model = randomNet(variant, 31);
    const layers = activationLayers(model.spec);
    const onnx = await session(model.spec, model.params, layers);
    const viaTfjs = ImageAnalysis.run(model, 'k', randomInput(model.spec, 8));
    const viaOnnx = await ImageAnalysis.runOnnx(model, 'k', randomInput(model.spec, 8), onnx);
    try {
      assert.equal(viaTfjs.runtime, 'tfjs');
      assert.equal(viaOnnx.runtime, 'onnx');
      assert.deepEqual(viaOnnx.layerNames(), layers);
      assert.ok(layers.includes('conv1') && layers.includes('fc8') && !layers.includes('drop6'));
      if (variant !== 'torchvision') assert.ok(layers.includes('norm1'), 'LRN layers are compared too');
      for (const layer of layers) {
        const a = viaOnnx.activation(layer);
        const b = viaTfjs.activation(layer);
        assert.deepEqual([...a.shape], [...b.shape], `${layer}: shape`);
        assert.ok(a.data instanceof Float32Array, `${layer}: a plain Float32Array`);
        // random weights keep every layer lively, so a wrong layout could not pass as near-zero
        assert.ok(b.data.some((v) => Math.abs(v) > 1e-3), `${layer}: the tfjs activation is all ~0`);
        const err = relativeError(a.data, b.data);
        assert.ok(err <= 1e-4, `${layer}: relative error ${err}`);
        // the channel-major maps the views draw come out the same
        assert.ok(relativeError(viaOnnx.featureMaps(layer).data, viaTfjs.featureMaps(layer).data) <= 1e-4, `${layer}: maps`);
      }
      assert.ok(relativeError(viaOnnx.probabilities, viaTfjs.probabilities) <= 1e-4, 'probabilities');
    } finally {
      viaTfjs.dispose();
      viaOnnx.dispose();
      await onnx.dispose();
    }
  });
}

test('analyse uses ONNX Runtime only when its session returns every layer, tfjs otherwise', async () => {
  const net = randomNet('torchvision', 5);
  const full = await session(net.spec, net.params, activationLayers(net.spec));
  const partial = await session(net.spec, net.params, ['conv1']);
  try {
    assert.equal(onnxCanAnalyse(full, net.spec), true);
    assert.equal(onnxCanAnalyse(partial, net.spec), false);
    assert.equal(onnxCanAnalyse(undefined, net.spec), false);
    const withFull = await ImageAnalysis.analyse({ ...net, onnx: full }, 'a', randomInput(net.spec));
    const withPartial = await ImageAnalysis.analyse({ ...net, onnx: partial }, 'b', randomInput(net.spec));
    const without = await ImageAnalysis.analyse(net, 'c', randomInput(net.spec));
    assert.deepEqual([withFull.runtime, withPartial.runtime, without.runtime], ['onnx', 'tfjs', 'tfjs']);
    assert.ok(relativeError(withFull.activation('relu5').data, without.activation('relu5').data) <= 1e-4);
    // A session that fails (here: released) leaves the answer to tfjs instead of failing the request.
    await partial.dispose();
    const broken = await session(net.spec, net.params, activationLayers(net.spec));
    await broken.dispose();
    const input = randomInput(net.spec);
    const fallback = await ImageAnalysis.analyse({ ...net, onnx: broken }, 'd', input);
    assert.equal(fallback.runtime, 'tfjs');
    assert.ok(!input.isDisposed, 'the input is kept by the tfjs analysis');
    fallback.dispose();
    assert.ok(input.isDisposed);
    for (const a of [withFull, withPartial, without]) a.dispose();
  } finally {
    await full.dispose();
    await partial.dispose();
  }
});

test('two requests for one image share a forward pass; the cache keeps plain arrays', async () => {
  const net = randomNet('torchvision', 6);
  const onnx = await session(net.spec, net.params, activationLayers(net.spec));
  const cache = new AnalysisCache(2);
  let loads = 0;
  const load = async () => (loads++, randomInput(net.spec));
  try {
    const model = { ...net, onnx };
    const [a, b] = await Promise.all([cache.get(model, 'img', load), cache.get(model, 'img', load)]);
    assert.equal(a, b);
    assert.equal(loads, 1);
    assert.equal(a.runtime, 'onnx');
    const before = tf.memory().numTensors;
    a.featureMaps('conv2');
    assert.equal(tf.memory().numTensors, before, 'reading maps makes no tensors');
    // The kept arrays are the analysis's own: a later run on another image leaves them alone.
    const snapshot = a.activation('conv1').data.slice();
    const other = await cache.get(model, 'img2', async () => randomInput(net.spec, 99));
    assert.ok(relativeError(other.activation('conv1').data, snapshot) > 1e-2, 'another image, other activations');
    assert.deepEqual(a.activation('conv1').data, snapshot);
    cache.clear();
    assert.throws(() => a.activation('conv1'), /not an inspectable layer/);
  } finally {
    await onnx.dispose();
  }
});
