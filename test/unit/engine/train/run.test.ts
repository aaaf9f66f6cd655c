// Training end to end on a small synthetic folder (red / green / blue squares), with a
// channel-reduced network at the real spatial size, on the cpu backend.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { makeSpec } from '../../../../src/engine/model/spec';
import { readSafetensors, saveSafetensors } from '../../../../src/engine/weights/safetensors';
import { loadWeightsFile } from '../../../../src/engine/weights/loadWeights';
import type { HostTensor } from '../../../../src/engine/weights/hostTensor';
import { scanDataset } from '../../../../src/engine/train/dataset';
import { resumeTraining, startTraining } from '../../../../src/engine/train/trainer';
import { BEST_FILE, CHECKPOINT_FILE, openRun, readMetrics, readRunState } from '../../../../src/engine/train/runFiles';
import { resolveTrainConfig } from '../../../../src/engine/train/config';
import { initialParams, trainSpec } from '../../../../src/engine/train/model';
import type { EpochRecord, StepRecord, TrainConfigInput, TrainEvent } from '../../../../src/protocol/engine/train';
import { addBadFiles, makeClassFolders } from '../../../fixtures/train/makeDataset';
import { heWeights } from '../../../helpers/heWeights';

const CONV: [number, number, number, number, number] = [8, 16, 16, 16, 16];
const FC: [number, number] = [256, 256];
let root: string;
let weightsPath: string;
let bad: { notImage: string; empty: string; truncated: string };
let initial: Record<string, HostTensor>;

const base = (over: Partial<TrainConfigInput> = {}): TrainConfigInput => ({
  variant: 'torchvision', mode: 'frozen', weights: { kind: 'file', path: weightsPath }, epochs: 5, batchSize: 8, lr: 0.001,
  patience: 3, seed: 11, convChannels: CONV, fcUnits: FC, ...over,
});

before(async () => {
  await tf.setBackend('cpu');
  root = await makeClassFolders(10, { seed: 5 });
  bad = await addBadFiles(join(root, 'red'));
  writeFileSync(join(root, 'README.txt'), 'loose file\n');
  initial = heWeights(makeSpec('torchvision', { convChannels: CONV, fcUnits: FC, numClasses: 5 }), 1);
  weightsPath = join(root, '..', `${root.split('/').pop()}-he.safetensors`);
  await saveSafetensors(weightsPath, initial, { variant: 'torchvision' });
});
after(() => {
  rmSync(root, { recursive: true, force: true });
  rmSync(weightsPath, { force: true });
});

test('scan lists classes, the split and the files it will skip', async () => {
  const { summary, train, val } = await scanDataset(root, { valFraction: 0.2, seed: 11 });
  assert.equal(summary.layout, 'class-folders');
  assert.deepEqual(summary.classes.map((c) => c.name), ['blue', 'green', 'red']);
  assert.deepEqual(summary.classes.map((c) => c.val), [2, 2, 2]);
  // red has 10 images plus the truncated JPEG, which the scan's end-marker check lists
  assert.deepEqual(summary.classes.map((c) => c.train), [8, 8, 8]);
  assert.equal(summary.trainCount + summary.valCount, train.length + val.length);
  const codes = Object.fromEntries(summary.skipped.map((s) => [s.path, s.code]));
  assert.equal(codes[bad.notImage], 'not-an-image');
  assert.equal(codes[bad.empty], 'empty');
  assert.equal(codes[bad.truncated], 'truncated');
  // every problem once, each with its file
  assert.equal(new Set(summary.skipped.map((s) => s.path)).size, summary.skipped.length);
  assert.equal(codes[join(root, 'README.txt')], 'not-in-class-folder');
  assert.equal(summary.trainable, true);
});

test('scan: train/ + val/ layout, small classes, unknown val classes', async () => {
  const r2 = join(root, '..', `${root.split('/').pop()}-split`);
  try {
    await makeClassFolders(3, { root: join(r2, 'train'), classes: ['red', 'green'] });
    await makeClassFolders(2, { root: join(r2, 'val'), classes: ['red', 'green', 'blue'] });
    mkdirSync(join(r2, 'train', 'empty-class'));
    const { summary } = await scanDataset(r2);
    assert.equal(summary.layout, 'split-folders');
    // an empty class folder is not a class
    assert.deepEqual(summary.emptyClasses, ['empty-class']);
    assert.ok(summary.warnings.some((w) => w.includes('empty-class')));
    assert.deepEqual(summary.classes, [
      { name: 'green', train: 3, val: 2 },
      { name: 'red', train: 3, val: 2 },
    ]);
    assert.deepEqual(summary.smallClasses, []);
    assert.deepEqual(summary.unknownValClasses, ['blue']);
    assert.equal(summary.trainable, true);
  } finally {
    rmSync(r2, { recursive: true, force: true });
  }
});

let reference: { runDir: string; steps: StepRecord[]; epochs: EpochRecord[] };

test('frozen training: loss goes down, val accuracy beats chance, files are complete', async () => {
  const events: TrainEvent[] = [];
  // an epoch is announced once its files are in place (the checkpoints are written in the background)
  const onDisk: string[] = [];
  // the checkpoint each epoch replaced is kept to be written into next time (replaceFile.ts)
  const spares: number[] = [];
  const emit = (e: TrainEvent) => {
    events.push(e);
    if (e.kind !== 'trainEpoch') return;
    onDisk.push(`${readRunState(e.runDir)?.epochsDone}${e.best && existsSync(join(e.runDir, BEST_FILE)) ? ' best' : ''}`);
    const spare = join(e.runDir, `${CHECKPOINT_FILE}.spare`);
    if (existsSync(spare)) spares.push(JSON.parse(readSafetensors(readFileSync(spare)).metadata.state).epochsDone);
  };
  const res = await startTraining(root, join(root, '.runs'), base(), { emit });
  assert.equal(res.cancelled, false);
  assert.equal(res.epochs, 5);
  const { steps, epochs } = openRun(res.runDir);
  reference = { runDir: res.runDir, steps, epochs };
  assert.equal(epochs.length, 5);
  const { summary, val } = await scanDataset(root, { valFraction: 0.2, seed: 11 });
  const truncatedInVal = val.some((v) => v.path === bad.truncated);
  const spe = Math.ceil(summary.trainCount / 8);
  // validation loss (no dropout, no augmentation) is the clean signal on a run this short
  const valLoss = epochs.map((e) => e.valLoss!);
  assert.ok(valLoss[4] < 0.8 * valLoss[0], `val loss ${valLoss.map((v) => v.toFixed(3))}`);
  assert.ok(res.bestValAcc! > 0.5, `best val acc ${res.bestValAcc} should beat chance (1/3)`);
  for (const e of epochs) {
    const total = e.confusion.flat().reduce((a, b) => a + b, 0);
    assert.equal(total, e.valImages, 'confusion counts add up to the validation set');
    // the truncated JPEG was listed at the scan, so no epoch meets it
    assert.equal(truncatedInVal, false);
    assert.equal(e.valImages, summary.valCount);
    assert.equal(e.trainImages, summary.trainCount);
    assert.deepEqual(e.skipped, []);
    assert.equal(e.precision.length, 3);
    assert.equal(e.examples.reduce((a, x) => a + x.paths.length, 0) <= 6, true);
  }
  // one step line per step, numbered without gaps
  assert.deepEqual(steps.map((s) => s.globalStep), Array.from({ length: 5 * spe }, (_, i) => i + 1));
  assert.ok(steps.every((s) => s.imagesPerSec > 0 && s.waitMs >= 0 && s.lr === 0.001));
  assert.equal(events.filter((e) => e.kind === 'trainStep').length, 5 * spe);
  assert.equal(events.filter((e) => e.kind === 'trainEpoch').length, 5);
  assert.deepEqual(onDisk, epochs.map((e) => `${e.epoch}${e.best ? ' best' : ''}`), 'at each trainEpoch, that epoch\'s checkpoint (and best file)');
  assert.deepEqual(spares, [1, 2, 3, 4], 'at epoch N the spare is epoch N-1\'s checkpoint');
  assert.deepEqual(readdirSync(res.runDir).filter((f) => f.includes('.spare')), [], 'the spares go at the end of the run');
  assert.equal(events[0].kind, 'trainStart');
  // best.safetensors is a model with the user's classes; frozen conv weights are the file's
  const best = await loadWeightsFile(res.bestPath!, 'auto');
  assert.deepEqual(best.classNames, ['blue', 'green', 'red']);
  assert.equal(best.spec.numClasses, 3);
  assert.equal(best.variant, 'torchvision');
  assert.deepEqual(Array.from(best.params['conv3.weight'].data), Array.from(initial['conv3.weight'].data));
  assert.notDeepEqual(Array.from(best.params['fc7.weight'].data), Array.from(initial['fc7.weight'].data));
  const prov = JSON.parse(best.metadata.provenance);
  assert.equal(prov.mode, 'frozen');
  assert.ok(existsSync(join(res.runDir, 'checkpoint.safetensors')));
  const config = JSON.parse(readFileSync(join(res.runDir, 'config.json'), 'utf8'));
  assert.equal(config.config.batchSize, 8);
  assert.deepEqual(config.classNames, ['blue', 'green', 'red']);
});

test('cancel mid-epoch, then resume: continues at the right step and repeats the uninterrupted run', async () => {
  const controller = new AbortController();
  const runsRoot = join(root, '.runs-cancel');
  const spe = reference.steps[0].stepsPerEpoch;
  const first = await startTraining(root, runsRoot, base(), {
    signal: controller.signal,
    emit: (e) => {
      if (e.kind === 'trainStep' && e.globalStep === spe + 2) controller.abort(); // epoch 2, step 2
    },
  });
  assert.equal(first.cancelled, true);
  assert.equal(first.epochs, 1);
  const before = readMetrics(first.runDir);
  assert.ok(before.some((r) => r.type === 'step' && r.globalStep === spe + 2), 'steps of the cancelled epoch were logged');

  const events: TrainEvent[] = [];
  const res = await resumeTraining(first.runDir, { emit: (e) => events.push(e) });
  assert.equal(res.cancelled, false);
  assert.equal(res.epochs, 5);
  const start = events[0];
  assert.ok(start.kind === 'trainStart' && start.resumed && start.startEpoch === 2 && start.startGlobalStep === spe);
  const firstStep = events.find((e) => e.kind === 'trainStep');
  assert.ok(firstStep && firstStep.kind === 'trainStep' && firstStep.globalStep === spe + 1 && firstStep.epoch === 2 && firstStep.step === 1);

  const { steps, epochs } = openRun(first.runDir);
  assert.deepEqual(steps.map((s) => s.globalStep), Array.from({ length: 5 * spe }, (_, i) => i + 1), 'no gaps, no duplicates');
  assert.deepEqual(epochs.map((e) => e.epoch), [1, 2, 3, 4, 5]);
  // same seed, same draws: the resumed run's losses are the uninterrupted run's
  steps.forEach((s, i) => assert.ok(Math.abs(s.loss - reference.steps[i].loss) < 1e-5, `step ${s.globalStep}: ${s.loss} vs ${reference.steps[i].loss}`));
  epochs.forEach((e, i) => assert.equal(e.valAcc, reference.epochs[i].valAcc));

  // a finished run resumes to nothing; more epochs continue it
  const again = await resumeTraining(first.runDir, {});
  assert.equal(again.epochs, 5);
  assert.equal(openRun(first.runDir).steps.length, 5 * spe);
  const more = await resumeTraining(first.runDir, {}, { epochs: 6 });
  assert.equal(more.epochs, 6);
  assert.deepEqual(openRun(first.runDir).steps.map((s) => s.globalStep), Array.from({ length: 6 * spe }, (_, i) => i + 1));
});

test('cancel in the first epoch (no checkpoint yet), then resume: starts over cleanly', async () => {
  const small = join(root, '..', `${root.split('/').pop()}-early`);
  try {
    await makeClassFolders(3, { root: small, classes: ['red', 'green'] });
    const cfg = base({ epochs: 2, batchSize: 2, valFraction: 0.34 });
    const controller = new AbortController();
    const first = await startTraining(small, join(small, '.runs'), cfg, {
      signal: controller.signal,
      emit: (e) => e.kind === 'trainStep' && e.globalStep === 1 && controller.abort(),
    });
    assert.equal(first.cancelled, true);
    assert.equal(first.epochs, 0);
    assert.equal(first.bestPath, undefined);
    assert.equal(openRun(first.runDir).state, null, 'no checkpoint');
    const steps1 = openRun(first.runDir).steps;
    assert.equal(steps1.length, 1);
    const res = await resumeTraining(first.runDir);
    assert.equal(res.epochs, 2);
    const { steps, epochs, state } = openRun(first.runDir);
    assert.deepEqual(steps.map((s) => s.globalStep), [1, 2, 3, 4]);
    assert.equal(steps[0].loss, steps1[0].loss, 'the same first step again');
    assert.equal(epochs.length, 2);
    assert.equal(state?.finished, true);
  } finally {
    rmSync(small, { recursive: true, force: true });
  }
});

test('finetune mode trains the conv layers too', async () => {
  const small = join(root, '..', `${root.split('/').pop()}-small`);
  try {
    await makeClassFolders(2, { root: small, classes: ['red', 'blue'] });
    // the cpu backend's conv filter gradient is slow: a tiny network, no weights file (paper init)
    const cfg = base({
      mode: 'finetune', weights: undefined, epochs: 1, batchSize: 4, valFraction: 0, convChannels: [2, 2, 2, 2, 2], fcUnits: [8, 8],
      augment: { crop: false, flip: false, pca: false },
    });
    const res = await startTraining(small, join(small, '.runs'), cfg);
    assert.equal(res.epochs, 1);
    assert.equal(res.bestValAcc, null, 'no validation set');
    const best = await loadWeightsFile(res.bestPath!, 'auto');
    const resolved = resolveTrainConfig(cfg);
    const start = await initialParams(resolved, trainSpec(resolved, 2));
    const conv1Start = Array.from(start.params['conv1.weight'].dataSync());
    Object.values(start.params).forEach((t) => t.dispose());
    assert.notDeepEqual(Array.from(best.params['conv1.weight'].data), conv1Start);
    const { epochs } = openRun(res.runDir);
    assert.equal(epochs[0].valLoss, null);
    assert.deepEqual(epochs[0].confusion, [[0, 0], [0, 0]]);
  } finally {
    rmSync(small, { recursive: true, force: true });
  }
});
