// The host-side logic of the training UI that needs no VS Code: the form's defaults, what is
// remembered, value parsing, the config sent to the engine, and the view built from a run folder.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EpochRecord, OpenRunResult, RunConfigFile, StepRecord } from '../../../../src/protocol/engine/train';
import { resolveTrainConfig } from '../../../../src/engine/train/config';
import {
  cannotStart, defaultChoices, defaultLr, FIELDS, initialChoices, presetChoices, withMode, parseField, rememberable, sanitizeRemembered, toConfigInput,
} from '../../../../src/extension/train/trainChoices';
import { augmentLabel, patienceLabel } from '../../../../src/protocol/webview/training';
import { formatEta, progressMessage, runViewFromOpenRun, statusOfStoredRun } from '../../../../src/extension/train/runView';

test('the default recipe: fine-tune (frozen conv layers) with weights, small data from scratch without', () => {
  const withWeights = defaultChoices({ variant: 'caffe', hasWeights: true, valFraction: 0.2, trainCount: 200 });
  assert.equal(withWeights.preset, 'fine-tune');
  assert.equal(withWeights.mode, 'frozen');
  assert.equal(withWeights.weights, 'current');
  assert.equal(withWeights.variant, 'caffe');
  assert.equal(withWeights.augment.pca, false, 'frozen runs cache conv features: no PCA colour, and the form says so');
  const none = defaultChoices({ variant: 'torchvision', hasWeights: false, valFraction: 0.25, trainCount: 30 });
  assert.equal(none.preset, 'small-data');
  assert.equal(none.mode, 'scratch');
  assert.equal(none.optimizer, 'adam');
  assert.equal(none.init, 'pytorch');
  assert.equal(none.lrFind, true);
  assert.equal(none.batchSize, 8, 'about four steps per epoch on 30 images');
  assert.ok(none.clipGradNorm! > 0 && none.warmupSteps! > 0 && none.earlyStop > 0);
  assert.equal(none.weights, 'random');
  assert.equal(none.valFraction, 0.25);
  const paper = presetChoices('paper', { variant: 'paper', hasWeights: true, valFraction: 0.2, trainCount: 30 });
  assert.deepEqual([paper.mode, paper.optimizer, paper.init, paper.batchSize, paper.lr, paper.momentum, paper.weightDecay, paper.augment.pca],
    ['scratch', 'sgd', 'paper', 128, 0.01, 0.9, 0.0005, true]);
  assert.equal(paper.lrFind, false);
});

test('changing the mode moves a default learning rate along, and keeps a typed one', () => {
  const scratch = presetChoices('paper', { variant: 'torchvision', hasWeights: false, valFraction: 0.2 });
  const frozen = withMode(scratch, 'frozen');
  assert.equal(frozen.mode, 'frozen');
  assert.equal(frozen.lr, defaultLr('frozen'));
  assert.equal(withMode(frozen, 'scratch').lr, 0.01);
  assert.equal(withMode({ ...scratch, lr: 0.05 }, 'frozen').lr, 0.05);
});

test('remembered choices override the recipe; invalid, stale or pre-recipe ones are dropped', () => {
  const stored = { preset: 'paper', mode: 'finetune', epochs: 3, batchSize: 0, lr: -1, momentum: 0.5, augment: { crop: false, flip: true, pca: false }, variant: 'vgg', valFraction: 0.5, junk: 1 };
  const r = sanitizeRemembered(stored);
  assert.deepEqual(r, { preset: 'paper', mode: 'finetune', epochs: 3, momentum: 0.5, augment: { crop: false, flip: true, pca: false } });
  const c = initialChoices(stored, { variant: 'paper', hasWeights: true, valFraction: 0.1 });
  assert.equal(c.mode, 'finetune');
  assert.equal(c.batchSize, 128, 'an invalid remembered batch size falls back to the recipe');
  assert.equal(c.variant, 'paper');
  assert.equal(c.valFraction, 0.1, 'the validation fraction comes from the setting, not the memory');
  // choices remembered before recipes existed (batch 128, lr 0.01 from scratch: never learnt) are not brought back
  const old = initialChoices({ mode: 'scratch', batchSize: 128, lr: 0.01, variant: 'caffe' }, { variant: 'paper', hasWeights: false, valFraction: 0.2, trainCount: 30 });
  assert.equal(old.preset, 'small-data');
  assert.equal(old.batchSize, 8);
  assert.equal(old.variant, 'caffe');
  // the small-data batch follows the folder, not the one remembered from another folder
  assert.equal(initialChoices({ preset: 'small-data', batchSize: 32 }, { variant: 'paper', hasWeights: false, valFraction: 0.2, trainCount: 30 }).batchSize, 8);
  // Remembered "current weights" cannot be used when there are none.
  assert.equal(initialChoices({ weights: 'current' }, { variant: 'paper', hasWeights: false, valFraction: 0.2 }).weights, 'random');
  assert.equal(sanitizeRemembered(null).mode, undefined);
  assert.ok(!('valFraction' in rememberable(c)));
});

test('typed values are parsed and checked like the engine checks them', () => {
  assert.deepEqual(parseField('epochs', ' 2 '), { value: 2 });
  assert.ok('error' in parseField('epochs', '2.5'));
  assert.ok('error' in parseField('epochs', '0'));
  assert.ok('error' in parseField('batchSize', 'abc'));
  assert.ok('error' in parseField('lr', '0'));
  assert.deepEqual(parseField('lr', '1e-3'), { value: 0.001 });
  assert.ok('error' in parseField('momentum', '1'));
  assert.deepEqual(parseField('valFraction', '20%'), { value: 0.2 });
  assert.deepEqual(parseField('valFraction', '20'), { value: 0.2 });
  assert.deepEqual(parseField('valFraction', '0.3'), { value: 0.3 });
  assert.ok('error' in parseField('valFraction', '100%'));
  assert.deepEqual(parseField('earlyStop', 'off'), { value: 0 });
  assert.deepEqual(parseField('patience', 'off'), { value: 0 }, 'patience 0: the lr is never divided');
  assert.ok('error' in parseField('patience', '-1'));
  assert.ok('error' in parseField('earlyStop', ''));
});

test('the config for the engine: weights only when used, and it passes the engine validation', () => {
  const c = { ...defaultChoices({ variant: 'torchvision', hasWeights: true, valFraction: 0.2 }), epochs: 2, batchSize: 4 };
  const withFile = toConfigInput(c, '/w/alexnet.pth');
  assert.deepEqual(withFile.weights, { kind: 'file', path: '/w/alexnet.pth' });
  const resolved = resolveTrainConfig(withFile);
  assert.equal(resolved.mode, 'frozen');
  assert.equal(resolved.epochs, 2);
  assert.equal(resolved.batchSize, 4);
  assert.equal(resolved.preset, 'fine-tune');
  assert.equal(toConfigInput({ ...c, weights: 'random' }, '/w/alexnet.pth').weights, undefined);
  assert.equal(toConfigInput({ ...c, mode: 'scratch' }, '/w/alexnet.pth').weights, undefined);
  // Frozen from random weights: the mode stays frozen (the engine starts the conv layers random).
  const frozenRandom = resolveTrainConfig(toConfigInput(c, undefined));
  assert.equal(frozenRandom.mode, 'frozen');
  assert.equal(frozenRandom.weights, undefined);
});

function runConfig(epochs: number): RunConfigFile {
  return {
    version: 1, folder: '/data/shapes', config: resolveTrainConfig({ mode: 'scratch', epochs, batchSize: 4 }), classNames: ['a', 'b'],
    trainCount: 8, valCount: 2, stepsPerEpoch: 2, layout: 'class-folders', createdAt: '2026-01-01T00:00:00Z',
  };
}
function step(globalStep: number): StepRecord {
  return { type: 'step', epoch: Math.ceil(globalStep / 2), step: ((globalStep - 1) % 2) + 1, stepsPerEpoch: 2, globalStep, loss: 1 / globalStep, acc: 0.5, lr: 0.01, batchSize: 4, imagesPerSec: 10, waitMs: 0, computeMs: 10, time: 0 };
}
function epoch(n: number): EpochRecord {
  return {
    type: 'epoch', epoch: n, globalStep: 2 * n, trainLoss: 1, trainAcc: 0.5, valLoss: 0.9, valAcc: 0.5, lr: 0.01, nextLr: 0.01,
    confusion: [[1, 0], [1, 0]], precision: [0.5, null], recall: [1, 0],
    examples: [{ actual: 0, predicted: 0, paths: ['/data/shapes/a/1.png'] }, { actual: 1, predicted: 0, paths: ['/data/shapes/b/1.png'] }],
    skipped: [], best: n === 1, trainImages: 8, valImages: 2, seconds: 1, time: 0,
  };
}

test('a run folder read back becomes the view: curves, epochs with loadable example images, status', () => {
  const run: OpenRunResult = {
    runDir: '/ws/.alexnet/runs/2026-01-01_00-00-00', config: runConfig(3), steps: [1, 2, 3, 4].map(step), epochs: [epoch(1), epoch(2)],
    state: { epochsDone: 2, globalStep: 4, lr: 0.01, bestValAcc: 0.5, finished: false }, bestPath: '/ws/.alexnet/runs/2026-01-01_00-00-00/best.safetensors',
  };
  const view = runViewFromOpenRun(run, (p) => `webview:${p}`);
  assert.equal(view.name, '2026-01-01_00-00-00');
  assert.equal(view.status, 'cancelled', '2 of 3 epochs: resumable');
  assert.match(view.message ?? '', /2 of 3 epochs/);
  assert.equal(view.live, false);
  assert.equal(view.hasBest, true);
  assert.deepEqual(view.steps.map((s) => s.globalStep), [1, 2, 3, 4]);
  assert.deepEqual(Object.keys(view.steps[0]).sort(), ['epoch', 'globalStep', 'loss', 'lr']);
  assert.deepEqual(view.epochs[1].examples[1], { actual: 1, predicted: 0, images: [{ path: '/data/shapes/b/1.png', src: 'webview:/data/shapes/b/1.png' }] });
  assert.equal(view.epochs[0].confusion.flat().reduce((a, b) => a + b, 0), view.epochs[0].valImages);

  assert.equal(statusOfStoredRun({ ...run.state!, finished: true }, 2, 3), 'done', 'early stop counts as finished');
  assert.equal(statusOfStoredRun(null, 0, 3), 'cancelled');
  assert.equal(runViewFromOpenRun({ ...run, state: { ...run.state!, epochsDone: 3, finished: true } }, String).status, 'done');
});

test('the progress line says epoch, step, loss, images/s and time left', () => {
  const line = progressMessage({ epoch: 1, totalEpochs: 2, step: 3, stepsPerEpoch: 4, loss: 0.69314, imagesPerSec: 12.34, etaSeconds: 75 });
  assert.equal(line, 'Epoch 1/2 · step 3/4 · loss 0.693 · 12.3 img/s · 1 min 15 s left');
  assert.equal(formatEta(null), 'time left unknown');
  assert.equal(formatEta(7300), '2 h 1 min left');
});

test('the linear-probe recipe in the form: its values show without weights, but it starts only with them', () => {
  const ctx = { variant: 'torchvision' as const, valFraction: 0.2, trainCount: 40 };
  const withW = presetChoices('linear-probe', { ...ctx, hasWeights: true });
  assert.equal(withW.mode, 'probe');
  assert.equal(withW.weights, 'current');
  assert.equal(withW.optimizer, 'adam');
  assert.equal(cannotStart(withW, true), undefined);
  const sent = resolveTrainConfig(toConfigInput(withW, '/w/alexnet.pth'));
  assert.equal(sent.mode, 'probe');
  assert.equal(sent.preset, 'linear-probe');
  const without = presetChoices('linear-probe', { ...ctx, hasWeights: false });
  assert.equal(without.mode, 'probe');
  assert.match(cannotStart(without, false) ?? '', /pretrained weights, and there are none for torchvision/);
  assert.match(cannotStart({ ...withW, weights: 'random' }, true) ?? '', /fc7 features of pretrained weights/);
  assert.equal(defaultLr('probe'), 0.001);
  assert.equal(augmentLabel({ crop: false, flip: false, pca: false }, 'probe'), 'off');
});

test('patience 0 reads as off (a constant lr), not "0 epochs"', () => {
  assert.equal(patienceLabel(0), 'off (constant lr)');
  assert.equal(patienceLabel(0, 8), 'off (constant lr after the warm-up)');
  assert.equal(patienceLabel(3), '3 epochs (then lr / 10)');
  assert.equal(FIELDS.patience.format(0), 'off (constant lr)');
});
