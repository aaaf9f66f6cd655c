// The exporters: .pth (torch.save's zip) read back by our loader, PyTorch's torch.load(weights_only=True)
// + torchvision's AlexNet, and ONNX Runtime on the exported .onnx, all giving the engine's logits
// on the same images.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { forward } from '../../../../src/engine/model/alexnet';
import { makeSpec, paramShapes, VARIANTS, type ModelSpec } from '../../../../src/engine/model/spec';
import { loadWeightsFile } from '../../../../src/engine/weights/loadWeights';
import { saveWeightsFile } from '../../../../src/engine/weights/savedWeights';
import { createOnnxRuntime, loadOrt } from '../../../../src/engine/onnx';
import { savePth } from '../../../../src/engine/export/pthExport';
import { exportOnnxModel } from '../../../../src/engine/export/onnxExport';
import { exportModel } from '../../../../src/engine/export/exportModel';
import { crc32 } from '../../../../src/engine/export/zipWriter';
import { preprocessFile } from '../../../../src/engine/image/preprocess';
import { randomHostParams } from '../../../helpers/randomHostParams';
import { FIXTURES } from '../../../helpers/paths';

const PY = '/usr/bin/python3';
const CHECK = join(FIXTURES, 'export', 'check_export.py');
const IMAGES = ['rgb.jpg', 'progressive.jpg', 'grey.png'].map((f) => join(FIXTURES, 'images', f));
const dir = mkdtempSync(join(tmpdir(), 'alexnet-export-'));
const CONV: [number, number, number, number, number] = [8, 12, 16, 12, 8];
const small = (v: (typeof VARIANTS)[number]) => makeSpec(v, { convChannels: CONV, fcUnits: [24, 20], numClasses: 6 });

before(async () => {
  await tf.setBackend('cpu');
});

function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string, rel = 1e-4): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  let scale = 1e-6;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]));
  let worst = 0;
  for (let i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
  assert.ok(worst <= rel * scale, `${what}: max abs error ${worst} > ${rel} x ${scale}`);
}

/** He-scaled pseudo-random weights without tfjs (its random ops take minutes for 61M values on the cpu backend). */
function fastRandomParams(spec: ModelSpec, seed: number): Record<string, { shape: number[]; data: Float32Array }> {
  let state = seed >>> 0;
  const uniform = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out: Record<string, { shape: number[]; data: Float32Array }> = {};
  for (const p of paramShapes(spec)) {
    const fanIn = p.shape.length === 4 ? p.shape[0] * p.shape[1] * p.shape[2] : p.shape[0];
    // uniform with the He variance: std = sqrt(2 / fanIn) -> half-width sqrt(6 / fanIn)
    const a = p.shape.length === 1 ? 0.1 : Math.sqrt(6 / fanIn);
    const data = new Float32Array(p.shape.reduce((x, y) => x * y, 1));
    for (let i = 0; i < data.length; i++) data[i] = (uniform() * 2 - 1) * a;
    out[p.name] = { shape: p.shape, data };
  }
  return out;
}

function nhwcToNchw(x: Float32Array, n: number, s: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let b = 0; b < n; b++) for (let y = 0; y < s; y++) for (let xx = 0; xx < s; xx++) for (let c = 0; c < 3; c++)
    out[((b * 3 + c) * s + y) * s + xx] = x[((b * s + y) * s + xx) * 3 + c];
  return out;
}

function tfjsLogits(spec: ModelSpec, params: Record<string, { shape: number[]; data: Float32Array }>, x: Float32Array, n: number): Float32Array {
  return tf.tidy(() => {
    const tp: Record<string, tf.Tensor> = {};
    for (const [k, v] of Object.entries(params)) tp[k] = tf.tensor(v.data, v.shape);
    const s = spec.inputSize;
    return forward(spec, tp, tf.tensor4d(x, [n, s, s, 3]), { collect: ['fc8'] }).activations.get('fc8')!.dataSync() as Float32Array;
  });
}

async function onnxLogits(bytes: Uint8Array, nchw: Float32Array, n: number, s: number): Promise<Float32Array> {
  const ort = loadOrt() as unknown as {
    InferenceSession: { create(b: Uint8Array): Promise<{ run(f: Record<string, unknown>): Promise<Record<string, { data: Float32Array; dims: number[] }>>; inputNames: string[]; outputNames: string[]; release(): Promise<void> }> };
    Tensor: new (t: string, d: Float32Array, dims: number[]) => unknown;
  };
  const session = await ort.InferenceSession.create(bytes);
  assert.deepEqual(session.inputNames, ['input']);
  assert.deepEqual([...session.outputNames].sort(), ['logits', 'probabilities']);
  const out = await session.run({ input: new ort.Tensor('float32', nchw, [n, 3, s, s]) });
  assert.deepEqual(out.logits.dims.slice(0, 1), [n]);
  await session.release();
  return out.logits.data;
}

test('crc32 of a known string', () => {
  assert.equal(crc32(Buffer.from('123456789')), 0xcbf43926);
});

for (const variant of VARIANTS) {
  test(`${variant}: .pth export reads back through our loader with identical tensors`, async () => {
    const spec = small(variant);
    const params = randomHostParams(spec, 11);
    const path = join(dir, `${variant}-small.pth`);
    const { keys, layout } = savePth(path, spec, params);
    assert.equal(layout, variant === 'torchvision' ? 'torchvision' : 'notebook');
    assert.ok(keys[0] === (variant === 'torchvision' ? 'features.0.weight' : 'convolution.0.weight'), keys[0]);
    const back = await loadWeightsFile(path, spec);
    assert.equal(back.source.fileVariant, variant === 'torchvision' ? 'torchvision' : variant);
    for (const [name, t] of Object.entries(params)) {
      assert.deepEqual(back.params[name].shape, t.shape, name);
      assert.deepEqual(back.params[name].data, t.data, name);
    }
  });

  test(`${variant}: the ONNX export (NCHW, dynamic batch, opset 17) gives the engine's logits`, async () => {
    const spec = small(variant);
    const params = randomHostParams(spec, 5);
    const names = Array.from({ length: 6 }, (_, i) => `c${i}`);
    const bytes = exportOnnxModel(spec, params, { classNames: names });
    const text = Buffer.from(bytes).toString('latin1');
    for (const k of ['classNames', '"c5"', 'preprocessing', 'centerCrop']) assert.ok(text.includes(k), `metadata has ${k}`);
    const s = spec.inputSize;
    for (const n of [1, 3]) {
      const x = tf.tidy(() => tf.randomNormal([n, s, s, 3], 0, 30, 'float32', 9 + n).dataSync() as Float32Array);
      assertClose(await onnxLogits(bytes, nhwcToNchw(x, n, s), n, s), tfjsLogits(spec, params, x, n), `${variant} batch ${n}`);
    }
  });
}

test('paper and caffe .pth: torch.load(weights_only=True) + the notebook module give the engine\'s logits', async () => {
  for (const variant of ['paper', 'caffe'] as const) {
    const spec = small(variant);
    const params = randomHostParams(spec, 3);
    const path = join(dir, `${variant}-py.pth`);
    savePth(path, spec, params);
    const n = 2;
    const s = spec.inputSize;
    const x = tf.tidy(() => tf.randomNormal([n, s, s, 3], 0, 30, 'float32', 4).dataSync() as Float32Array);
    const raw = join(dir, `${variant}-input.f32`);
    writeFileSync(raw, nhwcToNchw(x, n, s));
    const specJson = JSON.stringify({ conv: CONV, fc: [24, 20], classes: 6, groups: variant === 'caffe' ? 2 : 1, size: s });
    const out = JSON.parse(execFileSync(PY, [CHECK, 'notebook', path, specJson, raw, String(n)], { encoding: 'utf8' })) as { logits: number[][] };
    assertClose(out.logits.flat(), tfjsLogits(spec, params, x, n), `${variant} PyTorch logits`);
  }
});

test('full-size torchvision export: torchvision.models.alexnet(num_classes=5) loads the .pth and, with ONNX Runtime on the .onnx, matches the engine on real images', async () => {
  const spec = makeSpec('torchvision', { numClasses: 5 });
  const params = fastRandomParams(spec, 21);
  const weights = join(dir, 'tv5.safetensors');
  await saveWeightsFile(weights, spec, params, { classNames: ['a', 'b', 'c', 'd', 'e'] });
  const pth = join(dir, 'tv5.pth');
  const onnx = join(dir, 'tv5.onnx');
  const rp = await exportModel({ source: weights, format: 'pth', out: pth });
  assert.equal(rp.layout, 'torchvision');
  const ro = await exportModel({ source: weights, format: 'onnx', out: onnx });
  assert.equal(ro.numClasses, 5);

  // the engine: our preprocessing, the ONNX graph the engine runs (NHWC)
  const inputs = await Promise.all(IMAGES.map((p) => preprocessFile(p, spec)));
  const n = inputs.length;
  const s = spec.inputSize;
  const batch = new Float32Array(n * s * s * 3);
  inputs.forEach((inp, i) => batch.set(inp.data, i * s * s * 3));
  const rt = await createOnnxRuntime(spec, params, { threads: 1 });
  const ours = (await rt.run(batch, n)).logits;
  await rt.dispose();

  const py = JSON.parse(execFileSync(PY, [CHECK, 'torchvision', pth, '5', ...IMAGES], { encoding: 'utf8', maxBuffer: 1 << 24 })) as { keys: string[]; logits: number[][] };
  assert.deepEqual(py.keys, ['features.0.weight', 'features.0.bias', 'features.3.weight', 'features.3.bias', 'features.6.weight', 'features.6.bias',
    'features.8.weight', 'features.8.bias', 'features.10.weight', 'features.10.bias', 'classifier.1.weight', 'classifier.1.bias',
    'classifier.4.weight', 'classifier.4.bias', 'classifier.6.weight', 'classifier.6.bias']);
  assertClose(py.logits.flat(), ours, 'PyTorch (torchvision transforms on the image files) vs engine', 1e-3);
  const exported = await onnxLogits(new Uint8Array(readFileSync(onnx)), nhwcToNchw(batch, n, s), n, s);
  assertClose(exported, ours, 'ONNX Runtime on the exported model vs engine');
});
