// The linear probe (only fc8 learns, on fc7 features computed once) and runs that keep only what
// they train: best.safetensors and the checkpoint hold fc8 (probe) or fc6..fc8 (frozen) plus the
// base file's SHA-256; loading, resuming and exporting rebuild the whole model from the base file,
// and refuse with a clear message when it is gone or changed. Synthetic red/green/blue folder,
// channel-reduced torchvision network at the real spatial size.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, copyFileSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { makeSpec, VARIANTS } from '../../../../src/engine/model/spec';
import { buildTrainStep } from '../../../../src/engine/onnx/train/step';
import { readSafetensors, saveSafetensors } from '../../../../src/engine/weights/safetensors';
import { loadWeightsFile } from '../../../../src/engine/weights/loadWeights';
import { sha256File } from '../../../../src/engine/weights/baseWeights';
import type { HostTensor } from '../../../../src/engine/weights/hostTensor';
import { readExportSource } from '../../../../src/engine/export/exportModel';
import { resumeTraining, startTraining } from '../../../../src/engine/train/trainer';
import { openRun } from '../../../../src/engine/train/runFiles';
import { applyPreset } from '../../../../src/engine/train/presets';
import { resolveTrainConfig } from '../../../../src/engine/train/config';
import type { TrainConfigInput } from '../../../../src/protocol/engine/train';
import { makeClassFolders } from '../../../fixtures/train/makeDataset';
import { heWeights } from '../../../helpers/heWeights';

const CONV: [number, number, number, number, number] = [8, 16, 16, 16, 16];
const FC: [number, number] = [256, 256];
let root: string;
let weightsPath: string;
let initial: Record<string, HostTensor>;

const probe = (over: Partial<TrainConfigInput> = {}): TrainConfigInput => ({
  variant: 'torchvision', preset: 'linear-probe', weights: { kind: 'file', path: weightsPath }, seed: 11, valFraction: 0.2,
  convChannels: CONV, fcUnits: FC, ...over,
});

const tensorNames = (path: string) => {
  const buf = readFileSync(path);
  return Object.keys(readSafetensors(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength)).tensors).sort();
};

before(async () => {
  await tf.setBackend('cpu');
  root = await makeClassFolders(10, { seed: 5 });
  initial = heWeights(makeSpec('torchvision', { convChannels: CONV, fcUnits: FC, numClasses: 5 }), 1);
  weightsPath = join(root, '..', `${root.split('/').pop()}-he.safetensors`);
  await saveSafetensors(weightsPath, initial, { variant: 'torchvision' });
});
after(() => {
  rmSync(root, { recursive: true, force: true });
  rmSync(weightsPath, { force: true });
});

test('the linear-probe preset: probe mode, Adam, constant lr, no augmentation; it needs weights', () => {
  const cfg = resolveTrainConfig(applyPreset(probe(), 24).input);
  assert.equal(cfg.mode, 'probe');
  assert.equal(cfg.preset, 'linear-probe');
  assert.equal(cfg.optimizer, 'adam');
  assert.equal(cfg.patience, 0);
  assert.deepEqual(cfg.augment, { crop: false, flip: false, pca: false });
  assert.ok(cfg.batchSize <= 24);
  assert.throws(() => applyPreset({ preset: 'linear-probe' }, 24), /linear probe .* give a weights file/);
  assert.throws(() => resolveTrainConfig({ mode: 'probe' }), /probe mode .* give a weights file/);
});

test('the probe graph: fed relu7 vectors, only fc8 in it, no dropout masks (every variant); frozen keeps fc6..fc8 and dropout', () => {
  for (const variant of VARIANTS) {
    const spec = makeSpec(variant, { numClasses: 3, convChannels: [4, 8, 8, 8, 8], fcUnits: [16, 12] });
    const probeStep = buildTrainStep({ spec, frozen: true, features: { layer: 'relu7', dropout: false }, optimizer: { kind: 'adam', weightDecay: 0 } });
    assert.deepEqual(probeStep.params.map((p) => p.name), ['fc8.weight', 'fc8.bias'], variant);
    assert.deepEqual(probeStep.masks, [], `${variant}: no dropout on fixed features`);
    assert.deepEqual(probeStep.exampleDims, [12]);
    const frozen = buildTrainStep({ spec, frozen: true, optimizer: { kind: 'sgd', weightDecay: 0 } });
    assert.equal(frozen.params.length, 6);
    assert.equal(frozen.masks.length, 2);
    assert.deepEqual(frozen.exampleDims, [6, 6, 8]);
  }
});

let probeRun: string;

test('a linear probe learns (above chance), only fc8 changes, and best.safetensors holds only fc8', async () => {
  const logs: string[] = [];
  const extracted: string[] = [];
  const res = await startTraining(root, join(root, '.runs'), probe({ epochs: 12, earlyStop: 0 }), {
    log: (m) => logs.push(m),
    features: { diskRoot: join(root, '.features'), onExtract: (keys) => extracted.push(...keys.map((k) => `${k.set}:${k.index}:${k.variant}`)) },
  });
  probeRun = res.runDir;
  assert.ok(logs.some((m) => /training steps run on onnxruntime-node/.test(m)), logs.join('\n'));
  // fc7 features of each image's centre crop, computed once for all 12 epochs
  assert.equal(new Set(extracted).size, extracted.length, 'a feature was computed twice');
  assert.ok(extracted.every((k) => k.endsWith(':0')));
  assert.equal(extracted.length, 30, 'every image once');
  assert.equal(res.cancelled, false);
  assert.ok(res.bestValAcc! > 0.6, `best val acc ${res.bestValAcc} should beat chance (1/3) clearly`);
  const { epochs, config } = openRun(res.runDir);
  assert.ok(epochs[epochs.length - 1].valLoss! < epochs[0].valLoss!, `val loss ${epochs.map((e) => e.valLoss!.toFixed(3))}`);
  // config.json records what ran, and the base file by SHA-256
  assert.equal(config.config.mode, 'probe');
  assert.deepEqual(config.config.augment, { crop: false, flip: false, pca: false });
  assert.equal(config.baseWeights?.path, weightsPath);
  assert.equal(config.baseWeights?.sha256, await sha256File(weightsPath));
  // the files hold fc8 only (plus Adam's moments in the checkpoint)
  assert.deepEqual(tensorNames(res.bestPath!), ['fc8.bias', 'fc8.weight']);
  const ckpt = tensorNames(join(res.runDir, 'checkpoint.safetensors'));
  assert.ok(ckpt.every((n) => n.endsWith('fc8.weight') || n.endsWith('fc8.bias')), ckpt.join(', '));
  assert.ok(statSync(res.bestPath!).size < statSync(weightsPath).size / 20);
  // loaded, it is a whole model: every layer but fc8 is the base file's
  const best = await loadWeightsFile(res.bestPath!, 'auto');
  assert.deepEqual(best.classNames, ['blue', 'green', 'red']);
  assert.equal(best.spec.numClasses, 3);
  for (const name of ['conv1.weight', 'conv5.bias', 'fc6.weight', 'fc7.weight', 'fc7.bias']) {
    assert.deepEqual(Array.from(best.params[name].data), Array.from(initial[name].data), `${name} is the base file's`);
  }
  assert.deepEqual(best.params['fc8.weight'].shape, [FC[1], 3]);
  const w = best.params['fc8.weight'].data;
  assert.ok(w.some((v) => Math.abs(v) > 0.05), 'fc8 moved away from its N(0, 0.01) start');
  // the export path reads a run folder through the same loader
  const src = await readExportSource(res.runDir);
  assert.equal(src.weights.spec.numClasses, 3);
  assert.deepEqual(Array.from(src.weights.params['fc8.bias'].data), Array.from(best.params['fc8.bias'].data));
});

test('a second probe on the same images reads their fc7 features from disk; a changed image is computed again', async () => {
  const extracted: string[] = [];
  const features = { diskRoot: join(root, '.features'), onExtract: (keys: { set: string; index: number }[]) => extracted.push(...keys.map((k) => `${k.set}:${k.index}`)) };
  const again = await startTraining(root, join(root, '.runs'), probe({ epochs: 12, earlyStop: 0, lr: 2e-3, seed: 12 }), { features });
  assert.deepEqual(extracted, [], 'nothing recomputed');
  assert.ok(again.bestValAcc! > 0.6, `best val acc ${again.bestValAcc}`);
  // a touched file has another mtime: its entry no longer matches
  const touched = join(root, 'red', 'img-03.jpg');
  const t = new Date(Date.now() + 5000);
  utimesSync(touched, t, t);
  await startTraining(root, join(root, '.runs'), probe({ epochs: 1 }), { features });
  assert.equal(extracted.length, 1, `only the touched image: ${extracted.join(', ')}`);
});

test('probe features on disk are keyed by the crop, not its index: with flips on, only the mirrored crops are computed', async () => {
  const extracted: { variant: number }[] = [];
  const features = { diskRoot: join(root, '.features'), onExtract: (keys: { variant: number }[]) => extracted.push(...keys) };
  await startTraining(root, join(root, '.runs'), probe({ epochs: 3, augment: { flip: true } }), { features });
  assert.ok(extracted.length > 0);
  assert.ok(extracted.every((k) => k.variant === 1), 'the centre crops (variant 0) come from disk');
});

test('a probe run cancelled mid-run resumes from its fc8-only checkpoint and repeats the uninterrupted run', async () => {
  const cfg = probe({ epochs: 4, earlyStop: 0 });
  const features = { diskRoot: join(root, '.features') };
  const full = await startTraining(root, join(root, '.runs-probe-full'), cfg, { features });
  const controller = new AbortController();
  const part = await startTraining(root, join(root, '.runs-probe-part'), cfg, {
    features, signal: controller.signal, emit: (e) => e.kind === 'trainStep' && e.globalStep === 6 && controller.abort(),
  });
  assert.equal(part.cancelled, true);
  assert.deepEqual(tensorNames(join(part.runDir, 'checkpoint.safetensors')), ['adam.m/fc8.bias', 'adam.m/fc8.weight', 'adam.v/fc8.bias', 'adam.v/fc8.weight', 'fc8.bias', 'fc8.weight']);
  await resumeTraining(part.runDir, { features });
  const a = openRun(full.runDir).steps;
  const b = openRun(part.runDir).steps;
  assert.equal(b.length, a.length);
  a.forEach((s, i) => assert.ok(Math.abs(s.loss - b[i].loss) < 1e-5, `step ${s.globalStep}: ${s.loss} vs ${b[i].loss}`));
});

test('a frozen run keeps fc6..fc8 only; cancel and resume rebuild the frozen layers from the base file', async () => {
  const cfg: TrainConfigInput = {
    variant: 'torchvision', preset: 'fine-tune', mode: 'frozen', weights: { kind: 'file', path: weightsPath }, epochs: 3, batchSize: 8, lr: 0.001,
    seed: 11, convChannels: CONV, fcUnits: FC, augment: { crop: false, flip: false },
  };
  const full = await startTraining(root, join(root, '.runs-frozen-full'), cfg);
  assert.deepEqual(tensorNames(full.bestPath!), ['fc6.bias', 'fc6.weight', 'fc7.bias', 'fc7.weight', 'fc8.bias', 'fc8.weight']);
  const controller = new AbortController();
  const spe = openRun(full.runDir).steps[0].stepsPerEpoch;
  const part = await startTraining(root, join(root, '.runs-frozen-part'), cfg, {
    signal: controller.signal,
    emit: (e) => e.kind === 'trainStep' && e.globalStep === spe + 1 && controller.abort(),
  });
  assert.equal(part.cancelled, true);
  await resumeTraining(part.runDir);
  const a = openRun(full.runDir).steps;
  const b = openRun(part.runDir).steps;
  assert.equal(a.length, b.length);
  a.forEach((s, i) => assert.ok(Math.abs(s.loss - b[i].loss) < 1e-5, `step ${s.globalStep}: ${s.loss} vs ${b[i].loss}`));
  const best = await loadWeightsFile(join(part.runDir, 'best.safetensors'), 'auto');
  assert.deepEqual(Array.from(best.params['conv2.weight'].data), Array.from(initial['conv2.weight'].data));
  assert.notDeepEqual(Array.from(best.params['fc6.weight'].data), Array.from(initial['fc6.weight'].data));
});

test('a partial model whose base file is gone or changed is refused with a message that says so', async () => {
  const bestPath = join(probeRun, 'best.safetensors');
  const keep = `${weightsPath}.keep`;
  copyFileSync(weightsPath, keep);
  try {
    renameSync(weightsPath, `${weightsPath}.moved`);
    await assert.rejects(loadWeightsFile(bestPath, 'auto'), /holds only the trained layers; the others come from .*-he\.safetensors .* which is gone/);
    await assert.rejects(resumeTraining(probeRun, {}, { epochs: 13 }), /which is gone/);
    renameSync(`${weightsPath}.moved`, weightsPath);
    appendFileSync(weightsPath, Buffer.alloc(4));
    await assert.rejects(loadWeightsFile(bestPath, 'auto'), /which has changed since \(.* bytes, was .*\)/);
    // same size, other bytes: caught by the SHA-256
    copyFileSync(keep, weightsPath);
    const buf = readFileSync(weightsPath);
    buf[buf.length - 1] ^= 0xff;
    writeFileSync(weightsPath, buf);
    await assert.rejects(loadWeightsFile(bestPath, 'auto'), /which has changed since \(SHA-256 now/);
  } finally {
    copyFileSync(keep, weightsPath);
    rmSync(keep, { force: true });
    rmSync(`${weightsPath}.moved`, { force: true });
  }
  const ok = await loadWeightsFile(bestPath, 'auto');
  assert.equal(ok.spec.numClasses, 3);
});
