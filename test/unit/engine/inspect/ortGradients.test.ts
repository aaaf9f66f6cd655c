// Grad-CAM and filter synthesis on ONNX Runtime (gradient graphs to a layer and to the input,
// inspect/ortGradients.ts) against today's tfjs results, on random channel-reduced networks of every
// variant. Both compute the same float32 gradients by different summation orders: heatmaps and
// probabilities agree to 1e-4 (measured ~1e-6); synthesis follows the same path for 6 steps.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { gradCam, gradCamOnnx } from '../../../../src/engine/inspect/gradcam';
import { synthesize } from '../../../../src/engine/inspect/synthesize';
import { VARIANTS } from '../../../../src/engine/model/spec';
import { randomInput, randomNet, useCpu } from '../../../helpers/inspectNet';

before(useCpu);

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

for (const variant of VARIANTS) {
  test(`Grad-CAM on ONNX Runtime = tfjs (${variant}): default layer and class, another layer, a given class`, async () => {
    const { spec, params } = randomNet(variant, 11);
    const x = randomInput(spec, 5);
    for (const [layer, cls] of [[undefined, undefined], ['conv4', 3], [variant === 'torchvision' ? 'pool2' : 'norm2', 7]] as const) {
      const want = gradCam(spec, params, x, cls, layer);
      const got = await gradCamOnnx(spec, params, x, cls, layer);
      assert.equal(got.layer, want.layer);
      assert.equal(got.classIndex, want.classIndex);
      assert.deepEqual([got.height, got.width], [want.height, want.width]);
      assert.ok(want.rawMax > 0, 'a non-trivial map');
      assert.ok(Math.abs(got.rawMax - want.rawMax) <= 1e-4 * want.rawMax, `${layer}: rawMax ${got.rawMax} vs ${want.rawMax}`);
      assert.ok(maxDiff(got.heatmap, want.heatmap) <= 1e-4, `${layer}: heatmap differs by ${maxDiff(got.heatmap, want.heatmap)}`);
      assert.ok(maxDiff(got.probabilities, want.probabilities) <= 1e-5);
    }
    await assert.rejects(gradCamOnnx(spec, params, x, 99), /out of range/);
    await assert.rejects(gradCamOnnx(spec, params, x, undefined, 'fc7'), /spatial layer/);
    x.dispose();
  });
}

test('filter synthesis on ONNX Runtime follows the tfjs ascent (torchvision conv3, caffe relu5)', async () => {
  for (const [variant, layer, channel] of [['torchvision', 'conv3', 5], ['caffe', 'relu5', 2]] as const) {
    const { spec, params } = randomNet(variant, 4);
    const opts = { layer, channel, steps: 6, size: 96, seed: 3 };
    const want = await synthesize(spec, params, opts);
    const got = await synthesize(spec, params, opts, { onnx: true });
    assert.ok(Math.abs(got.initialActivation - want.initialActivation) <= 1e-4 * Math.max(1, Math.abs(want.initialActivation)), `${variant}: ${got.initialActivation} vs ${want.initialActivation}`);
    assert.ok(Math.abs(got.finalActivation - want.finalActivation) <= 1e-3 * Math.max(1, Math.abs(want.finalActivation)), `${variant}: ${got.finalActivation} vs ${want.finalActivation}`);
    assert.ok(want.finalActivation > want.initialActivation, 'the ascent climbs');
    // 8-bit pixels: a rounding boundary may flip a level
    assert.ok(maxDiff(got.image.rgba, want.image.rgba) <= 2, `${variant}: pixels differ by ${maxDiff(got.image.rgba, want.image.rgba)}`);
  }
});
