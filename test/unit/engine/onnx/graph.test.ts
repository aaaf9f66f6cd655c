// The ONNX runtime against the tfjs forward pass (cpu backend) on channel-reduced copies of every
// variant with random weights: logits, probabilities and intermediate activations must agree.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { forward } from '../../../../src/engine/model/alexnet';
import { makeSpec, VARIANTS, type ModelSpec } from '../../../../src/engine/model/spec';
import { createOnnxRuntime, type LrnMode } from '../../../../src/engine/onnx';
import { adaptivePoolMatrix } from '../../../../src/engine/onnx/graph';
import { randomHostParams } from '../../../helpers/randomHostParams';


before(async () => {
  await tf.setBackend('cpu');
});

function smallSpec(variant: (typeof VARIANTS)[number]): ModelSpec {
  // even channel counts: caffe's grouped convolutions split them in two
  return makeSpec(variant, { convChannels: [8, 12, 16, 12, 8], fcUnits: [24, 20], numClasses: 10 });
}


function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

function assertClose(actual: Float32Array, expected: Float32Array, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  const scale = Math.max(maxAbs(expected), 1e-6);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
  assert.ok(worst <= 1e-4 * scale, `${what}: max abs error ${worst} > 1e-4 x ${scale}`);
}

async function compare(spec: ModelSpec, collect: string[], lrn?: LrnMode): Promise<void> {
  const params = randomHostParams(spec, 7);
  const n = 2;
  const s = spec.inputSize;
  // roughly the range of Caffe's mean-subtracted pixels, so LRN's sum term is not negligible
  const input = tf.tidy(() => tf.randomNormal([n, s, s, 3], 0, 30, 'float32', 3).dataSync() as Float32Array);
  const acts = new Map<string, { shape: number[]; data: Float32Array }>();
  let probs: Float32Array = new Float32Array(0);
  tf.tidy(() => {
    const tp: Record<string, tf.Tensor> = {};
    for (const [k, v] of Object.entries(params)) tp[k] = tf.tensor(v.data, v.shape);
    const r = forward(spec, tp, tf.tensor4d(input, [n, s, s, 3]), { collect: [...collect, 'fc8'], softmax: true });
    for (const [k, t] of r.activations) acts.set(k, { shape: t.shape, data: t.dataSync() as Float32Array });
    probs = r.output.dataSync() as Float32Array;
  });
  const expected = { probs, acts };
  const rt = await createOnnxRuntime(spec, params, { threads: 1, collect, lrn });
  try {
    const got = await rt.run(input, n);
    const label = `${spec.variant}${lrn ? ` lrn=${lrn}` : ''}`;
    assertClose(got.logits, expected.acts.get('fc8')!.data, `${label} logits`);
    assertClose(got.probabilities, expected.probs, `${label} probabilities`);
    for (const name of collect) {
      const e = expected.acts.get(name)!;
      const a = got.activations.get(name);
      assert.ok(a, `${label}: activation ${name} missing`);
      assert.deepEqual(a.shape, e.shape, `${label} ${name}: shape`);
      assertClose(a.data, e.data, `${label} ${name}`);
    }
    // the same runtime, asked for fewer activations, still answers
    const few = await rt.run(input.subarray(0, s * s * 3), 1, { collect: [] });
    assert.equal(few.activations.size, 0);
    assertClose(few.logits, expected.acts.get('fc8')!.data.subarray(0, spec.numClasses), `${label} batch of 1`);
  } finally {
    await rt.dispose();
  }
}

test('torchvision: logits and activations match tfjs', async () => {
  await compare(smallSpec('torchvision'), ['conv1', 'pool1', 'conv2', 'relu5', 'avgpool', 'flatten', 'drop6', 'fc6', 'relu7']);
});

test('caffe (grouped convolutions, LRN): logits and activations match tfjs for every LRN form', async () => {
  for (const lrn of ['op', 'avgpool', 'conv'] as const) await compare(smallSpec('caffe'), ['conv1', 'norm1', 'conv2', 'norm2', 'conv4', 'pool5', 'flatten', 'fc7'], lrn);
});

test('paper: logits and activations match tfjs', async () => {
  await compare(smallSpec('paper'), ['norm1', 'pool2', 'conv5', 'fc6', 'drop7']);
});

test('adaptive average pooling of a 7x7 map (input larger than 224) matches tfjs', async () => {
  const spec = { ...smallSpec('torchvision'), inputSize: 256 };
  await compare(spec, ['pool5', 'avgpool']);
});

test('adaptive pool matrix: each output bin averages its PyTorch window', () => {
  const m = adaptivePoolMatrix(7, 7, 6);
  // every bin's weights sum to 1; bin (0,0) covers rows/cols [0, 2)
  for (let b = 0; b < 36; b++) {
    let sum = 0;
    for (let p = 0; p < 49; p++) sum += m[p * 36 + b];
    assert.ok(Math.abs(sum - 1) < 1e-6);
  }
  assert.equal(m[0 * 36 + 0], 0.25);
  assert.equal(m[8 * 36 + 0], 0.25); // pixel (1,1)
  assert.equal(m[2 * 36 + 0], 0); // pixel (0,2) is outside bin (0,0)
});

test('an unknown layer to collect is refused', async () => {
  const spec = smallSpec('torchvision');
  await assert.rejects(createOnnxRuntime(spec, randomHostParams(spec, 1), { collect: ['conv9'] }), /unknown layer "conv9"/);
});
