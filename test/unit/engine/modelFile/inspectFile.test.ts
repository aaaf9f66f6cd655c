// The weights viewer's engine side: tensor statistics, AlexNet detection for every format (and a
// clear reason for files that are not one), the ONNX reader on our own export, and comparisons.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { tensorStats } from '../../../../src/engine/modelFile/tensorStats';
import { inspectModelFile } from '../../../../src/engine/modelFile/inspectFile';
import { compareModelFiles } from '../../../../src/engine/modelFile/compareFiles';
import { loadWeightsFile } from '../../../../src/engine/weights/loadWeights';
import { encodeSafetensors } from '../../../../src/engine/weights/safetensors';
import { savePth } from '../../../../src/engine/export/pthExport';
import { exportOnnxModel } from '../../../../src/engine/export/onnxExport';
import { makeSpec } from '../../../../src/engine/model/spec';
import { randomHostParams } from '../../../helpers/randomHostParams';
import { FIXTURES } from '../../../helpers/paths';

const PARITY = join(FIXTURES, 'parity');
const dir = mkdtempSync(join(tmpdir(), 'alexnet-modelfile-'));

test('tensorStats: range, mean, std, zeros, histogram; NaN and Inf counted apart', () => {
  const s = tensorStats('t', [6], 'f32', Float32Array.of(0, 1, 2, 3, 0, NaN));
  assert.equal(s.min, 0);
  assert.equal(s.max, 3);
  assert.equal(s.mean, 6 / 5);
  assert.ok(Math.abs(s.std - Math.sqrt(14 / 5 - (6 / 5) ** 2)) < 1e-12);
  assert.equal(s.zeros, 2 / 6);
  assert.equal(s.nonFinite, 1);
  assert.equal(s.histogram.reduce((a, b) => a + b, 0), 5);
  assert.equal(s.histogram[0], 2);
  assert.equal(s.histogram[s.histogram.length - 1], 1);
  const flat = tensorStats('c', [3], 'f32', Float32Array.of(5, 5, 5));
  assert.equal(flat.histogram[0], 3);
  assert.equal(flat.std, 0);
});

test('a torchvision .pth: every tensor under its file name, the variant, the bound architecture and conv1', async () => {
  const steps: number[] = [];
  const r = await inspectModelFile(join(PARITY, 'torchvision.pth'), { progress: (d) => steps.push(d) });
  assert.equal(r.format, 'pth');
  assert.equal(r.tensors.length, 16);
  assert.equal(r.tensors[0].name, 'features.0.weight');
  assert.equal(r.tensors[0].dtype, 'f32');
  assert.equal(r.tensors[0].shape.length, 4);
  assert.ok(r.alexnet, r.notAlexNet);
  assert.equal(r.alexnet.variant, 'torchvision');
  assert.equal(r.alexnet.keyStyle, 'torchvision');
  assert.equal(r.alexnet.sources['conv1.weight'], 'features.0.weight');
  assert.equal(r.alexnet.conv1.shape[0], 11);
  assert.equal(r.alexnet.conv1.shape[2], 3);
  const file = await loadWeightsFile(join(PARITY, 'torchvision.pth'));
  assert.equal(r.alexnet.totalParams, Object.values(file.params).reduce((a, t) => a + t.data.length, 0));
  assert.ok(steps.length > 16, 'progress per tensor');
});

test('bvlc-style .npy is the grouped caffe variant', async () => {
  const r = await inspectModelFile(join(PARITY, 'caffe.npy'));
  assert.equal(r.format, 'npy');
  assert.equal(r.alexnet?.variant, 'caffe');
  assert.equal(r.alexnet?.grouped, true);
});

test('a file that is not an AlexNet still gets its tensor table and the reason', async () => {
  const path = join(dir, 'other.safetensors');
  writeFileSync(path, encodeSafetensors({ 'encoder.weight': { shape: [3, 4], data: new Float32Array(12).fill(0.5) }, 'encoder.bias': { shape: [3], data: new Float32Array(3) } }));
  const r = await inspectModelFile(path);
  assert.equal(r.alexnet, null);
  assert.match(r.notAlexNet ?? '', /does not fit AlexNet|missing/);
  assert.deepEqual(r.tensors.map((t) => t.name), ['encoder.weight', 'encoder.bias']);
  assert.equal(r.tensors[1].zeros, 1);
});

test('a pickle that runs code is refused with the global\'s name', async () => {
  await assert.rejects(inspectModelFile(join(PARITY, 'evil.pth')), /system|posix|os/);
});

test('our ONNX export: initializers as weights (no graph constants), metadata, the variant and classes', async () => {
  await tf.setBackend('cpu');
  const spec = makeSpec('paper', { convChannels: [8, 12, 16, 12, 8], fcUnits: [24, 20], numClasses: 4 });
  const params = randomHostParams(spec, 2);
  const path = join(dir, 'paper.onnx');
  writeFileSync(path, exportOnnxModel(spec, params, { classNames: ['w', 'x', 'y', 'z'] }));
  const r = await inspectModelFile(path);
  assert.equal(r.format, 'onnx');
  assert.equal(r.metadata.variant, 'paper');
  assert.equal(r.metadata.opset, '17');
  assert.ok(r.alexnet, r.notAlexNet);
  assert.equal(r.alexnet.variant, 'paper');
  assert.deepEqual(r.alexnet.classNames, ['w', 'x', 'y', 'z']);
  assert.equal(r.tensors.filter((t) => /\.(weight|bias)$/.test(t.name)).length, 16);
  // conv1 back in the canonical layout, equal to what was exported
  assert.deepEqual(r.alexnet.conv1.data, params['conv1.weight'].data);
});

test('compare: the same weights in two formats differ by nothing; a perturbed copy by its change', async () => {
  await tf.setBackend('cpu');
  const spec = makeSpec('torchvision', { convChannels: [8, 12, 16, 12, 8], fcUnits: [24, 20], numClasses: 4 });
  const params = randomHostParams(spec, 8);
  const a = join(dir, 'a.pth');
  savePth(a, spec, params);
  const b = join(dir, 'b.safetensors');
  writeFileSync(b, encodeSafetensors(params, { variant: 'torchvision' }));
  const same = await compareModelFiles(a, b);
  assert.equal(same.basis, 'canonical');
  assert.equal(same.layers.length, 16);
  for (const l of same.layers) assert.equal(l.maxAbsDiff, 0, l.name);
  const changed = { ...params, 'fc8.weight': { shape: params['fc8.weight'].shape, data: params['fc8.weight'].data.map((v) => v * 1.1) } };
  const c = join(dir, 'c.safetensors');
  writeFileSync(c, encodeSafetensors(changed, { variant: 'torchvision' }));
  const diff = await compareModelFiles(a, c);
  const fc8 = diff.layers.find((l) => l.name === 'fc8.weight')!;
  assert.ok(Math.abs(fc8.relativeChange! - 0.1) < 1e-5, String(fc8.relativeChange));
  assert.ok(Math.abs(fc8.cosine! - 1) < 1e-6);
  assert.equal(diff.layers.find((l) => l.name === 'conv1.weight')!.maxAbsDiff, 0);
});
