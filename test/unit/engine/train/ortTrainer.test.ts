// The trainer on ONNX Runtime: which runtime runs the steps, exact resume with the optimiser state
// in the checkpoint (SGD's previous weights, Adam's moments), the warm-up and clipping options, and the
// tfjs fallback. A channel-reduced torchvision network at the real spatial size, on a synthetic folder.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { resumeTraining, startTraining } from '../../../../src/engine/train/trainer';
import { openRun } from '../../../../src/engine/train/runFiles';
import { readSafetensors } from '../../../../src/engine/weights/safetensors';
import type { TrainConfigInput } from '../../../../src/protocol/engine/train';
import { makeClassFolders } from '../../../fixtures/train/makeDataset';

let root: string;
const base = (over: Partial<TrainConfigInput> = {}): TrainConfigInput => ({
  variant: 'torchvision', mode: 'scratch', preset: 'paper', optimizer: 'sgd', epochs: 2, batchSize: 4, lr: 0.01, seed: 3, valFraction: 0.25,
  convChannels: [4, 8, 8, 8, 8], fcUnits: [16, 16], augment: { crop: true, flip: true, pca: false }, ...over,
});

before(async () => {
  await tf.setBackend('cpu');
  root = await makeClassFolders(6, { seed: 9, classes: ['red', 'green'] });
});
after(() => rmSync(root, { recursive: true, force: true }));

function readCheckpoint(runDir: string) {
  const buf = readFileSync(join(runDir, 'checkpoint.safetensors'));
  return readSafetensors(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength));
}
const checkpointNames = (runDir: string): string[] => Object.keys(readCheckpoint(runDir).tensors);

async function cancelAndResume(cfg: TrainConfigInput, runs: string, stopAt: number) {
  const logs: string[] = [];
  const full = await startTraining(root, join(runs, 'full'), cfg, { log: (m) => logs.push(m) });
  const controller = new AbortController();
  const part = await startTraining(root, join(runs, 'part'), cfg, {
    signal: controller.signal,
    emit: (e) => e.kind === 'trainStep' && e.globalStep === stopAt && controller.abort(),
  });
  assert.equal(part.cancelled, true);
  await resumeTraining(part.runDir);
  return { logs, full: openRun(full.runDir), resumed: openRun(part.runDir), fullDir: full.runDir };
}

test('SGD on ONNX Runtime: the log says so, the checkpoint holds W_prev, a resumed run repeats the uninterrupted one exactly', async () => {
  const { logs, full, resumed, fullDir } = await cancelAndResume(base(), join(root, '.runs-sgd'), 4);
  assert.ok(logs.some((m) => /training steps run on onnxruntime-node 1\.30/.test(m)), logs.join('\n'));
  const names = checkpointNames(fullDir);
  assert.ok(names.includes('prev/conv1.weight') && names.includes('prev/fc8.bias'), names.join(', '));
  assert.ok(!names.some((n) => n.startsWith('momentum/')));
  assert.equal(full.steps.length, resumed.steps.length);
  full.steps.forEach((s, i) => assert.equal(resumed.steps[i].loss, s.loss, `step ${s.globalStep}`));
  full.epochs.forEach((e, i) => assert.equal(resumed.epochs[i].valLoss, e.valLoss));
  assert.ok(full.steps.every((s) => Number.isFinite(s.loss)));
});

test('Adam with clipping and warm-up: lr ramps over the warm-up steps, Adam state checkpointed, exact resume', async () => {
  const cfg = base({ optimizer: 'adam', lr: 1e-3, clipGradNorm: 1, warmupSteps: 3 });
  const { full, resumed, fullDir } = await cancelAndResume(cfg, join(root, '.runs-adam'), 3);
  assert.deepEqual(full.steps.slice(0, 4).map((s) => s.lr), [1e-3 / 3, (2 * 1e-3) / 3, 1e-3, 1e-3]);
  const names = checkpointNames(fullDir);
  assert.ok(names.includes('adam.m/conv1.weight') && names.includes('adam.v/fc8.weight'), names.join(', '));
  const config = JSON.parse(readFileSync(join(fullDir, 'config.json'), 'utf8')).config;
  assert.equal(config.optimizer, 'adam');
  assert.deepEqual(config.adamBetas, [0.9, 0.999]);
  assert.equal(config.clipGradNorm, 1);
  full.steps.forEach((s, i) => assert.equal(resumed.steps[i].loss, s.loss, `step ${s.globalStep}`));
  assert.equal(JSON.parse(readCheckpoint(fullDir).metadata.state).optimizer.steps, full.steps.length);
});

test('tfjs fallback: a run trains on tfjs when asked; Adam there is refused with a clear message', async () => {
  const logs: string[] = [];
  const res = await startTraining(root, join(root, '.runs-tfjs'), base({ epochs: 1, mode: 'frozen' }), { stepRuntime: 'tfjs', log: (m) => logs.push(m) });
  assert.equal(res.epochs, 1);
  assert.ok(!logs.some((m) => /onnxruntime/.test(m)));
  assert.ok(checkpointNames(res.runDir).includes('momentum/fc6.weight'));
  await assert.rejects(startTraining(root, join(root, '.runs-tfjs2'), base({ optimizer: 'adam' }), { stepRuntime: 'tfjs' }), /Adam and gradient clipping need ONNX Runtime/);
});
