import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { forward } from '../../../../src/engine/model/alexnet';
import { ImageAnalysis, AnalysisCache } from '../../../../src/engine/inspect/analysis';
import { channelsByMean } from '../../../../src/engine/inspect/featureMaps';
import { filterBlock } from '../../../../src/engine/inspect/filters';
import { gradCam, defaultCamLayer, denseHead } from '../../../../src/engine/inspect/gradcam';
import { inputToPixels, pixelsToInput } from '../../../../src/engine/inspect/pixels';
import { randomInput, randomNet, redGreenNet, redLeftGreenRight, useCpu } from '../../../helpers/inspectNet';

before(useCpu);

test('feature maps of every layer equal the forward pass stopped at that layer (channel-major)', () => {
  const model = randomNet('caffe');
  const analysis = ImageAnalysis.run(model, 'k', randomInput(model.spec));
  try {
    for (const layer of ['conv1', 'norm1', 'conv3', 'relu5', 'pool5', 'fc7']) {
      const expected = tf.tidy(() => forward(model.spec, model.params, analysis.input, { upTo: layer }).output);
      const hwc = expected.dataSync();
      const maps = analysis.featureMaps(layer);
      const dims = expected.shape as number[];
      const [h, w, c] = expected.rank === 4 ? [dims[1], dims[2], dims[3]] : [1, 1, dims[1]];
      assert.deepEqual([maps.height, maps.width, maps.channels], [h, w, c], layer);
      let worst = 0;
      for (let ch = 0; ch < c; ch++)
        for (let p = 0; p < h * w; p++) worst = Math.max(worst, Math.abs(maps.data[ch * h * w + p] - hwc[p * c + ch]));
      assert.ok(worst < 1e-5, `${layer}: max difference ${worst}`);
      // The statistics describe the same numbers.
      for (let ch = 0; ch < c; ch++) {
        const run = maps.data.subarray(ch * h * w, (ch + 1) * h * w);
        assert.ok(Math.abs(Math.max(...run) - maps.channelMax[ch]) < 1e-6);
        assert.ok(Math.abs(run.reduce((a, b) => a + b, 0) / run.length - maps.channelMean[ch]) < 1e-4);
      }
      expected.dispose();
    }
    // Sanity on the probabilities kept from the same pass.
    assert.ok(Math.abs(analysis.probabilities.reduce((a, b) => a + b, 0) - 1) < 1e-5);
  } finally {
    analysis.dispose();
  }
});

test('conv1 feature maps match a direct convolution written out in loops', () => {
  const model = randomNet('torchvision', 11);
  const analysis = ImageAnalysis.run(model, 'k', randomInput(model.spec, 5));
  try {
    const x = analysis.input.dataSync();
    const w = model.params['conv1.weight'].dataSync();
    const b = model.params['conv1.bias'].dataSync();
    const maps = analysis.featureMaps('conv1');
    const S = model.spec.inputSize;
    const F = maps.channels;
    for (const [f, oy, ox] of [[0, 0, 0], [3, 10, 20], [7, 54, 54], [5, 27, 1]]) {
      let sum = b[f];
      for (let ky = 0; ky < 11; ky++)
        for (let kx = 0; kx < 11; kx++) {
          const iy = oy * 4 - 2 + ky; // stride 4, pad 2
          const ix = ox * 4 - 2 + kx;
          if (iy < 0 || ix < 0 || iy >= S || ix >= S) continue;
          for (let c = 0; c < 3; c++) sum += x[(iy * S + ix) * 3 + c] * w[((ky * 11 + kx) * 3 + c) * F + f];
        }
      const got = maps.data[f * 55 * 55 + oy * 55 + ox];
      assert.ok(Math.abs(got - sum) < 1e-4, `filter ${f} at (${oy},${ox}): ${got} vs ${sum}`);
    }
  } finally {
    analysis.dispose();
  }
});

test('channelsByMean orders channels by mean activation', () => {
  assert.deepEqual(channelsByMean({ channelMean: new Float32Array([0.1, 3, -1, 3, 2]) }), [1, 3, 4, 0, 2]);
  assert.deepEqual(channelsByMean({ channelMean: new Float32Array([0.1, 3, -1]) }, 2), [1, 0]);
});

test('the analysis cache reuses an image and drops analyses of a replaced model', async () => {
  const a = randomNet('torchvision', 1);
  const cache = new AnalysisCache(2);
  let loads = 0;
  const load = async () => (loads++, randomInput(a.spec));
  const first = await cache.get(a, 'img1', load);
  assert.equal(await cache.get(a, 'img1', load), first);
  assert.equal(loads, 1);
  const b = randomNet('torchvision', 2);
  const other = await cache.get(b, 'img1', load);
  assert.notEqual(other, first);
  assert.equal(loads, 2);
  assert.throws(() => first.activation('conv1'), /not an inspectable layer/); // disposed with its model
  cache.clear();
});

test('Grad-CAM lights the half of the image that holds the class evidence', () => {
  const model = redGreenNet();
  const x = redLeftGreenRight(model.spec);
  try {
    assert.equal(defaultCamLayer(model.spec), 'relu5');
    const red = gradCam(model.spec, model.params, x, 0);
    const green = gradCam(model.spec, model.params, x, 1);
    assert.equal(red.width, 13);
    const colMean = (heat: Float32Array, cols: number[]) => {
      let s = 0;
      for (let y = 0; y < 13; y++) for (const c of cols) s += heat[y * 13 + c];
      return s / (13 * cols.length);
    };
    const left = [0, 1, 2, 3, 4];
    const right = [8, 9, 10, 11, 12];
    assert.ok(colMean(red.heatmap, left) > 0.8, `red class, left half: ${colMean(red.heatmap, left)}`);
    assert.ok(colMean(red.heatmap, right) < 0.05, `red class, right half: ${colMean(red.heatmap, right)}`);
    assert.ok(colMean(green.heatmap, right) > 0.8, `green class, right half: ${colMean(green.heatmap, right)}`);
    assert.ok(colMean(green.heatmap, left) < 0.05, `green class, left half: ${colMean(green.heatmap, left)}`);
    // Without a class it explains the top one.
    const top = gradCam(model.spec, model.params, x);
    assert.equal(top.classIndex, red.probabilities[0] > red.probabilities[1] ? 0 : 1);
  } finally {
    x.dispose();
  }
});

test('Grad-CAM of a class with no evidence in the image is all zeros', () => {
  const model = redGreenNet();
  const s = model.spec.inputSize;
  const allRed = tf.tidy(() => pixelsToInput(model.spec, tf.concat([tf.ones([1, s, s, 1]), tf.zeros([1, s, s, 2])], 3) as tf.Tensor4D));
  try {
    const green = gradCam(model.spec, model.params, allRed, 1);
    assert.equal(green.rawMax, 0);
    assert.ok(green.heatmap.every((v) => v === 0));
    const top = gradCam(model.spec, model.params, allRed);
    assert.equal(top.classIndex, 0);
    assert.ok(top.heatmap.every((v) => v > 0.99), 'uniform red: every position supports "red"');
  } finally {
    allRed.dispose();
  }
});

test('Grad-CAM refuses a layer after flatten and a class out of range', () => {
  const model = redGreenNet();
  const x = redLeftGreenRight(model.spec);
  assert.throws(() => gradCam(model.spec, model.params, x, 0, 'fc6'), /spatial layer/);
  assert.throws(() => gradCam(model.spec, model.params, x, 5), /out of range/);
  x.dispose();
});

test('filters come back as [filter][kh][kw][in] slices of the HWIO weights', () => {
  const model = randomNet('caffe', 4);
  const w = model.params['conv2.weight']; // [5,5,4,12]: groups of 2
  const hwio = w.dataSync();
  const block = filterBlock(model.spec, model.params, 'conv2', 3, 4);
  assert.deepEqual([block.kernel, block.inPerGroup, block.groups, block.start, block.count, block.filters], [5, 4, 2, 3, 4, 12]);
  assert.equal(block.weights.length, 4 * 5 * 5 * 4);
  for (let f = 0; f < 4; f++)
    for (let y = 0; y < 5; y++)
      for (let x = 0; x < 5; x++)
        for (let i = 0; i < 4; i++) assert.equal(block.weights[((f * 5 + y) * 5 + x) * 4 + i], hwio[((y * 5 + x) * 4 + i) * 12 + (3 + f)]);
  assert.equal(block.min, Math.min(...hwio));
  assert.equal(block.max, Math.max(...hwio));
  assert.equal(block.channelOrder, undefined);
  assert.equal(filterBlock(model.spec, model.params, 'conv1').channelOrder, 'bgr');
  assert.equal(filterBlock(model.spec, model.params, 'conv1').count, 8);
  assert.throws(() => filterBlock(model.spec, model.params, 'fc6'), /not a conv layer/);
});

test('pixelsToInput and inputToPixels invert each other for both normalisations', () => {
  for (const variant of ['caffe', 'torchvision'] as const) {
    const { spec } = randomNet(variant);
    const px = tf.randomUniform([1, 4, 4, 3], 0, 1, 'float32', 9) as tf.Tensor4D;
    const back = inputToPixels(spec, pixelsToInput(spec, px));
    assert.ok(tf.max(tf.abs(tf.sub(back, px))).dataSync()[0] < 1e-5, variant);
  }
  // Caffe input is BGR: pure red lands in channel 2 at 255 - mean.
  const { spec } = randomNet('caffe');
  const red = pixelsToInput(spec, tf.tensor4d([1, 0, 0], [1, 1, 1, 3])).dataSync();
  assert.deepEqual(Array.from(red), [-104, -117, 255 - 124]);
});

test('the hand-written dense-head gradient equals autodiff through the whole head', () => {
  for (const variant of ['paper', 'torchvision'] as const) {
    const model = randomNet(variant, 13);
    const x = randomInput(model.spec, 17);
    const { manual, auto } = tf.tidy(() => {
      const a = forward(model.spec, model.params, x, { upTo: 'relu5' }).output;
      const flat = forward(model.spec, model.params, a, { from: 'relu5', upTo: 'flatten' }).output as tf.Tensor2D;
      const head = denseHead(model.spec, model.params, flat);
      const viaHead = head.classGradient(4);
      const logit = (f: tf.Tensor) => tf.squeeze(tf.slice(forward(model.spec, model.params, f, { from: 'flatten' }).output, [0, 4], [1, 1]));
      const viaTape = tf.grad(logit)(flat);
      const direct = forward(model.spec, model.params, flat, { from: 'flatten' }).output;
      assert.ok(tf.max(tf.abs(tf.sub(head.logits, direct))).dataSync()[0] < 1e-5, 'logits');
      return { manual: viaHead.dataSync(), auto: viaTape.dataSync() };
    });
    assert.equal(manual.length, auto.length);
    let worst = 0;
    let scale = 0;
    for (let i = 0; i < auto.length; i++) {
      worst = Math.max(worst, Math.abs(manual[i] - auto[i]));
      scale = Math.max(scale, Math.abs(auto[i]));
    }
    assert.ok(scale > 0 && worst <= 1e-5 * Math.max(1, scale), `${variant}: ${worst} (scale ${scale})`);
    x.dispose();
  }
});
