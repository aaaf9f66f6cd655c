// The wasm training kernels (backend/wasmKernels.ts) against tfjs's pure-JS cpu backend, on
// AlexNet-shaped cases, with the wasm backend running 2 threads (backend/wasmThreads.ts).
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-backend-cpu';
import { initBackend } from '../../../../src/engine/backend/select';
import { forward } from '../../../../src/engine/model/alexnet';
import { makeSpec, paramShapes, type VariantName } from '../../../../src/engine/model/spec';
import { MomentumSgd } from '../../../../src/engine/train/sgd';
import { PARALLEL_MIN } from '../../../../src/engine/backend/heapHelper';

const TOLERANCE = 1e-4;

/** Deterministic values in [-1, 1). */
function values(n: number, seed: number): Float32Array {
  let s = seed >>> 0 || 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = ((s >>> 0) / 4294967296) * 2 - 1;
  }
  return out;
}
const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
const tensor = (shape: number[], seed: number, scale = 1) => tf.tensor(values(size(shape), seed).map((v) => v * scale), shape);

/** max |a - b| / max |b| */
function relError(got: Float32Array, want: Float32Array): number {
  assert.equal(got.length, want.length);
  let diff = 0;
  let mag = 0;
  for (let i = 0; i < want.length; i++) {
    diff = Math.max(diff, Math.abs(got[i] - want[i]));
    mag = Math.max(mag, Math.abs(want[i]));
  }
  assert.ok(mag > 0, 'reference is all zeros');
  return diff / mag;
}

/** Runs fn on cpu and on wasm; returns both results as arrays. */
async function onBoth(fn: () => tf.Tensor[]): Promise<{ cpu: Float32Array[]; wasm: Float32Array[] }> {
  const run = async (backend: string) => {
    assert.ok(await tf.setBackend(backend));
    const before = tf.memory().numTensors;
    const outs = tf.tidy(fn);
    const data = outs.map((t) => t.dataSync() as Float32Array);
    tf.dispose(outs);
    assert.equal(tf.memory().numTensors, before, `${backend}: tensors leaked`);
    return data;
  };
  return { cpu: await run('cpu'), wasm: await run('wasm') };
}

async function assertSame(fn: () => tf.Tensor[], names: string[]): Promise<void> {
  const { cpu, wasm } = await onBoth(fn);
  names.forEach((name, i) => {
    const err = relError(wasm[i], cpu[i]);
    assert.ok(err < TOLERANCE, `${name}: relative error ${err.toExponential(2)}`);
  });
}

before(async () => {
  const report = await initBackend('wasm', { threads: 2 });
  assert.equal(report.tfBackend, 'wasm');
  assert.equal(report.threads, 2, `wasm threads: ${JSON.stringify(report)}`);
});

test('the wasm backend has all the training kernels, ours in place', () => {
  for (const k of ['Conv2DBackpropFilter', 'Conv2DBackpropInput', 'BatchMatMul', 'MaxPoolGrad', 'LRNGrad']) {
    assert.ok(tf.getKernel(k, 'wasm'), `${k} missing`);
  }
  const ours = (k: string) => (tf.getKernel(k, 'wasm')?.kernelFunc as unknown as Record<symbol, unknown>)[Symbol.for('alexnet-explorer.wasmTrainingKernel')] === true;
  for (const k of ['Conv2DBackpropFilter', 'Conv2DBackpropInput', 'BatchMatMul', 'MaxPoolGrad']) assert.ok(ours(k), `${k} is not ours`);
});

// [input NHWC, filter HWIO, stride, pad]: AlexNet's convs with fewer channels.
const CONV_CASES: [string, number[], number[], number, number][] = [
  ['conv1 paper (227, k11 s4 p0)', [2, 227, 227, 3], [11, 11, 3, 8], 4, 0],
  ['conv1 torchvision (224, k11 s4 p2: last row cropped)', [2, 224, 224, 3], [11, 11, 3, 8], 4, 2],
  ['k11 s4 p0 with an uneven input (64)', [3, 64, 64, 3], [11, 11, 3, 6], 4, 0],
  ['k11 s4 p0, input 70 (its last rows reach no window)', [2, 70, 70, 3], [11, 11, 3, 6], 4, 0],
  ['k5 s2 p1 (strided, kernel not a multiple of the stride)', [2, 21, 23, 4], [5, 5, 4, 6], 2, 1],
  ['conv2 (27, k5 p2)', [3, 27, 27, 16], [5, 5, 16, 24], 1, 2],
  ['conv3-5 (13, k3 p1)', [3, 13, 13, 24], [3, 3, 24, 16], 1, 1],
];

for (const [name, xShape, wShape, stride, pad] of CONV_CASES) {
  test(`conv2d gradients match cpu: ${name}`, async () => {
    await assertSame(() => {
      const x = tensor(xShape, 1) as tf.Tensor4D;
      const w = tensor(wShape, 2, 0.1) as tf.Tensor4D;
      const y = tf.conv2d(x, w, stride, pad);
      const r = tensor(y.shape, 3);
      const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, stride, pad), r)))([x, w]);
      return [y, dx, dw];
    }, ['y', 'dx', 'dw']);
  });
}

test('Conv2DBackpropFilter with "same" padding and uneven strides', async () => {
  await assertSame(() => {
    const x = tensor([2, 17, 19, 5], 4);
    const dy = tensor([2, 6, 7, 4], 5);
    return [tf.conv2d(x as tf.Tensor4D, tensor([3, 3, 5, 4], 6) as tf.Tensor4D, 3, 'same'), tf.grad((w: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 3, 'same'), dy)))(tensor([3, 3, 5, 4], 6))];
  }, ['y', 'dw']);
});

test('matMul with every transpose combination matches cpu', async () => {
  await assertSame(() => {
    const a = tensor([37, 53], 7);
    const b = tensor([53, 29], 8);
    const aT = tf.transpose(a);
    const bT = tf.transpose(b);
    return [tf.matMul(a, b), tf.matMul(aT, b, true, false), tf.matMul(a, bT, false, true), tf.matMul(aT, bT, true, true), tf.matMul(tensor([3, 37, 53], 9), tensor([3, 29, 53], 10), false, true), tf.matMul(tensor([4, 64], 17), tensor([200, 64], 18), false, true), tf.matMul(tensor([4, 64], 19), tensor([64, 200], 20)), tf.matMul(tensor([80, 64], 21), tensor([64, 200], 22))];
  }, ['nn', 'tn', 'nt', 'tt', 'batched nt', 'nt with a big B (computed as (B.A^T)^T)', 'nn with a big B and few rows (wasm matmul)', 'nn with more rows (1x1 conv)']);
});

test('dense layer gradients (transposed products) match cpu', async () => {
  await assertSame(() => {
    const x = tensor([16, 300], 11);
    const w = tensor([300, 40], 12, 0.05);
    const r = tensor([16, 40], 13);
    return tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D), r)))([x, w]);
  }, ['dx', 'dw']);
});

test('LRN and max-pool gradients work on wasm and match cpu', async () => {
  await assertSame(() => {
    const x = tensor([2, 13, 13, 16], 14, 3);
    const r1 = tensor([2, 13, 13, 16], 15);
    const r2 = tensor([2, 6, 6, 16], 16);
    const lrn = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.localResponseNormalization(a as tf.Tensor4D, 2, 2, 1e-4 / 5, 0.75), r1)))(x);
    const pool = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(a as tf.Tensor4D, 3, 2, 'valid'), r2)))(x);
    return [lrn, pool];
  }, ['lrn grad', 'maxpool grad']);
});

test('maxPool gradient of an all-zero window stays in that window (wasm 4.22 sent it to element 0)', async () => {
  assert.ok(await tf.setBackend('wasm'));
  // 1x5x5x1 pooled 3x3 stride 2: only the top-left window holds positive values, as after a ReLU.
  const xs = new Array(25).fill(0);
  xs[0] = 5;
  xs[1] = 1;
  const x = tf.tensor4d(xs, [1, 5, 5, 1]);
  const dy = tf.tensor4d([1, 10, 100, 1000], [1, 2, 2, 1]);
  const dx = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(a as tf.Tensor4D, 3, 2, 'valid'), dy)))(x);
  const want = new Array(25).fill(0);
  want[0] = 1; // window (0,0): its max 5 is at (0,0)
  // The all-zero windows pick their first element (like the cpu backend and TensorFlow).
  want[2] = 10; // window (0,1) starts at (0,2)
  want[10] = 100; // window (1,0) starts at (2,0)
  want[12] = 1000; // window (1,1) starts at (2,2)
  assert.deepEqual(Array.from(dx.dataSync()), want);
  tf.dispose([x, dy, dx]);
});

for (const variant of ['caffe', 'torchvision'] as VariantName[]) {
  test(`a small ${variant} AlexNet's full gradient matches cpu`, async () => {
    const spec = makeSpec(variant, { convChannels: [8, 8, 8, 8, 8], fcUnits: [16, 16], numClasses: 5 });
    const shapes = paramShapes(spec);
    const names = shapes.map((p) => p.name);
    await assertSame(() => {
      // He-scaled weights so that signals neither vanish nor explode through the 8 layers.
      const params: Record<string, tf.Variable> = {};
      shapes.forEach((p, i) => {
        const fanIn = p.shape.length === 4 ? p.shape[0] * p.shape[1] * p.shape[2] : p.shape[0];
        const scale = p.name.endsWith('.bias') ? 0.1 : Math.sqrt(6 / fanIn);
        params[p.name] = tf.variable(tensor(p.shape, 100 + i, scale));
      });
      const x = tensor([2, spec.inputSize, spec.inputSize, 3], 99);
      const labels = tf.oneHot(tf.tensor1d([1, 3], 'int32'), spec.numClasses);
      const { value, grads } = tf.variableGrads(() => {
        const logits = forward(spec, params, x).output;
        return tf.losses.softmaxCrossEntropy(labels, logits) as tf.Scalar;
      }, Object.values(params));
      const out = [value, ...names.map((n) => grads[params[n].name])];
      Object.values(params).forEach((v) => v.dispose());
      return out;
    }, ['loss', ...names]);
  });
}

for (const n of [10007, PARALLEL_MIN * 2 + 3]) test(`the fused wasm momentum-SGD step (${n} weights${n >= PARALLEL_MIN ? ', split with the helper thread' : ''}) matches the tfjs-ops update on cpu and leaves shared data alone`, async () => {
  const run = async (backend: string) => {
    assert.ok(await tf.setBackend(backend));
    const before = tf.memory().numTensors;
    const init = tensor([n], 31);
    const w = tf.variable(init, true, `w-${backend}`); // shares init's data until the first update
    const g = tensor([n], 32);
    const sgd = new MomentumSgd(0.9, 0.0005);
    sgd.init({ w });
    sgd.apply({ w }, { w: g }, 0.1);
    sgd.apply({ w }, { w: g }, 0.05);
    const out = { w: w.dataSync().slice() as Float32Array, v: sgd.velocity.get('w')!.dataSync().slice() as Float32Array, init: init.dataSync().slice() as Float32Array };
    sgd.dispose();
    tf.dispose([w, g, init]);
    assert.equal(tf.memory().numTensors, before, `${backend}: tensors leaked`);
    return out;
  };
  const cpu = await run('cpu');
  const wasm = await run('wasm');
  assert.ok(relError(wasm.w, cpu.w) < 1e-6, 'w');
  assert.ok(relError(wasm.v, cpu.v) < 1e-6, 'v');
  assert.deepEqual(wasm.init, values(n, 31), 'the initial tensor sharing the variable\'s first buffer changed');
  assert.ok(relError(wasm.w, wasm.init) > 1e-3, 'the weights did not move');
});

test('weights written from views on the wasm heap (checkpoints) read back as the tensors hold them', async () => {
  const { float32View } = await import('../../../../src/engine/backend/tensorView');
  const { saveSafetensors, readSafetensors } = await import('../../../../src/engine/weights/safetensors');
  const { mkdtempSync, readFileSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  assert.ok(await tf.setBackend('wasm'));
  const a = tensor([300, 70], 41);
  const b = tensor([5], 42);
  const viewA = float32View(a);
  assert.ok(viewA.buffer instanceof SharedArrayBuffer, 'on wasm the view is on the (shared) heap, not a copy');
  const dir = mkdtempSync(join(tmpdir(), 'alexnet-view-'));
  try {
    const file = join(dir, 'w.safetensors');
    await saveSafetensors(file, { a: { shape: [300, 70], data: viewA }, b: { shape: [5], data: float32View(b) } });
    const back = readSafetensors(readFileSync(file));
    assert.deepEqual(Array.from(back.tensors.a.data), Array.from(a.dataSync()));
    assert.deepEqual(Array.from(back.tensors.b.data), Array.from(b.dataSync()));
  } finally {
    rmSync(dir, { recursive: true, force: true });
    tf.dispose([a, b]);
  }
});
