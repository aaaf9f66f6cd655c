// The pieces of the training recipes (issue 13): presets and what they leave to the user, the
// best-epoch rule, the learning-rate finder's pick, the scratch inits, and the CLI's --json result line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { applyPreset, smallDataBatch } from '../../../../src/engine/train/presets';
import { resolveTrainConfig } from '../../../../src/engine/train/config';
import { finderDiverged, finderLrs, finderRange, isBetterEpoch, pickFinderLr, plateauStep, smoothLosses, type PlateauState } from '../../../../src/engine/train/schedule';
import { findLr } from '../../../../src/engine/train/lrFinder';
import { fanIn, pytorchDefaultInit } from '../../../../src/engine/train/init';
import { makeSpec, paramShapes } from '../../../../src/engine/model/spec';
import { resultLine } from '../../../../src/cli/train';

const W = { kind: 'file' as const, path: '/w/alexnet.pth' };

test('no preset named: small data from scratch without weights, fine-tune with them', () => {
  const scratch = resolveTrainConfig(applyPreset({}, 30).input);
  assert.equal(scratch.preset, 'small-data');
  assert.deepEqual([scratch.mode, scratch.optimizer, scratch.init, scratch.lrFind, scratch.clipGradNorm], ['scratch', 'adam', 'pytorch', true, 1]);
  assert.equal(scratch.batchSize, 8);
  assert.ok(scratch.warmupSteps! >= 5 && scratch.earlyStop > 0);
  assert.equal(scratch.weightDecay, 0);
  // as the PyTorch recipe (scripts/bench/small_data_recipe.py): a constant lr after the warm-up; the
  // plateau drops (lr / 10 after 4 noisy validation epochs) stopped the sample shapes run at 83%
  assert.equal(scratch.patience, 0);
  assert.ok(scratch.earlyStop >= 10 && scratch.epochs >= 50, `${scratch.earlyStop} ${scratch.epochs}`);
  const withWeights = resolveTrainConfig(applyPreset({ weights: W }, 200).input);
  assert.equal(withWeights.preset, 'fine-tune');
  assert.equal(withWeights.mode, 'frozen');
  assert.equal(withWeights.lr, 0.001);
  assert.equal(withWeights.augment.pca, false, 'recorded as off: frozen runs cache conv features');
});

test('the paper preset is the 2012 recipe; what the user sets wins over any preset', () => {
  const paper = resolveTrainConfig(applyPreset({ preset: 'paper' }, 1000).input);
  assert.deepEqual(
    [paper.mode, paper.init, paper.optimizer, paper.batchSize, paper.lr, paper.momentum, paper.weightDecay, paper.patience, paper.augment, paper.lrFind],
    ['scratch', 'paper', 'sgd', 128, 0.01, 0.9, 0.0005, 3, { crop: true, flip: true, pca: true }, undefined],
  );
  const mine = resolveTrainConfig(applyPreset({ preset: 'small-data', batchSize: 4, lr: 3e-4, epochs: 2, augment: { flip: false } }, 30).input);
  assert.deepEqual([mine.batchSize, mine.lr, mine.epochs, mine.augment.flip, mine.augment.crop], [4, 3e-4, 2, false, true]);
  assert.equal(mine.lrFind, undefined, 'a given lr turns the finder off');
  assert.throws(() => applyPreset({ preset: 'nope' as never }, 10), /unknown preset 'nope'/);
  assert.equal(resolveTrainConfig({ patience: 0 }).patience, 0, '0 = the lr is never divided');
  assert.throws(() => resolveTrainConfig({ patience: -1 }), /patience must be a non-negative integer/);
  assert.throws(() => resolveTrainConfig({ patience: NaN }), /patience must be a non-negative integer/);
});

test('a batch larger than the training set gets a note; the small-data batch is about a quarter of it', () => {
  assert.deepEqual([smallDataBatch(3), smallDataBatch(30), smallDataBatch(100), smallDataBatch(240), smallDataBatch(5000)], [3, 8, 25, 32, 32]);
  const { notes } = applyPreset({ preset: 'paper' }, 30);
  assert.equal(notes.length, 1);
  assert.match(notes[0], /batch size 128 is larger than the 30 training images/);
  assert.deepEqual(applyPreset({}, 30).notes, []);
  assert.match(applyPreset({ weights: W, augment: { pca: true } }, 50).notes.join(), /PCA colour augmentation is off in frozen mode/);
});

test('best epoch: higher validation accuracy, ties broken by lower validation loss', () => {
  assert.equal(isBetterEpoch({ valAcc: 0.5, valLoss: 2 }, null), true);
  assert.equal(isBetterEpoch({ valAcc: 0.6, valLoss: 2 }, { valAcc: 0.5, valLoss: 1 }), true);
  assert.equal(isBetterEpoch({ valAcc: 0.4, valLoss: 0.1 }, { valAcc: 0.5, valLoss: 1 }), false);
  assert.equal(isBetterEpoch({ valAcc: 0.5, valLoss: 0.9 }, { valAcc: 0.5, valLoss: 1 }), true, 'a tie on accuracy: the lower loss wins');
  assert.equal(isBetterEpoch({ valAcc: 0.5, valLoss: 1 }, { valAcc: 0.5, valLoss: 1 }), false, 'an exact tie keeps the earlier epoch');
  assert.equal(isBetterEpoch({ valAcc: 0.5, valLoss: NaN }, { valAcc: 0.5, valLoss: 1 }), false);
  // without validation the monitored (training) loss decides
  assert.equal(isBetterEpoch({ valAcc: null, valLoss: 0.5 }, { valAcc: null, valLoss: 0.7 }), true);
});

test('plateau rule: lr / 10 after `patience` epochs without a better loss; patience 0 never divides it', () => {
  const losses = [1, 0.8, 0.9, 0.85, 0.95, 0.7, 0.9, 0.9, 0.9];
  const run = (patience: number) => {
    let s: PlateauState = { lr: 1e-3, bestMonitor: null, sinceImprovement: 0, sinceBest: 0, lrDrops: 0 };
    const lrs: number[] = [];
    for (const l of losses) lrs.push((s = plateauStep(s, l, patience)).lr);
    return { lrs, s };
  };
  const two = run(2);
  assert.deepEqual(two.lrs.map((x) => +x.toPrecision(3)), [1e-3, 1e-3, 1e-3, 1e-4, 1e-4, 1e-4, 1e-4, 1e-5, 1e-5]);
  assert.equal(two.s.lrDrops, 2);
  const never = run(0);
  assert.ok(never.lrs.every((x) => x === 1e-3), String(never.lrs));
  assert.equal(never.s.lrDrops, 0);
  assert.equal(never.s.sinceBest, 3, 'early stop still counts the epochs since the best loss');
  assert.equal(never.s.bestMonitor, 0.7);
});

test('lr finder: an exponential sweep, stopped when the loss blows up, a tenth of where it rose', async () => {
  const lrs = finderLrs(1e-6, 0.1, 6);
  assert.equal(lrs.length, 6);
  assert.ok(Math.abs(lrs[5] - 0.1) < 1e-12 && Math.abs(lrs[1] / lrs[0] - 10) < 1e-9);
  assert.deepEqual(smoothLosses([1, 1, 1]).map((x) => +x.toFixed(6)), [1, 1, 1], 'bias-corrected: a constant stays constant');
  assert.equal(finderDiverged([1, 1, 1, 1, 1, 5]), true);
  assert.equal(finderDiverged([1, 1, NaN]), true);
  assert.equal(finderDiverged([1, 0.9, 0.8]), false);
  // flat until 1e-3, then up: a tenth of 1e-3
  const pick = pickFinderLr([1e-5, 1e-4, 1e-3, 1e-2], [1.1, 1.1, 1.5, 9]);
  assert.ok(Math.abs(pick.lr - 1e-4) < 1e-12, String(pick.lr));
  assert.match(pick.rule, /rose 25% above its minimum at lr 1\.0e-3/);
  assert.equal(pickFinderLr([1e-5, 1e-4, 1e-3, 1e-2], [1.1, 1.1, 1.5, 9], ...finderRange('adam')).lr, 1e-4);
  assert.equal(pickFinderLr([1e-3, 1e-2, 1e-1], [1, 1, 1], ...finderRange('adam')).lr, 3e-4, 'clamped to Adam\'s range');
  // the driver: runs steps until divergence, reports the trace
  const seen: number[] = [];
  const found = await findLr({ step: async (lr) => (seen.push(lr), lr < 1e-3 ? 1.1 : 50) }, { steps: 10, start: 1e-6, end: 1e-1 });
  assert.ok(seen.length < 10, 'stopped at the blow-up');
  assert.equal(found.trace.length, seen.length);
  assert.ok(found.lr > 1e-5 && found.lr < 1e-3, String(found.lr));
});

test("PyTorch's default init: U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for weights and biases, seeded", () => {
  tf.setBackend('cpu');
  const spec = makeSpec('torchvision', { numClasses: 3, convChannels: [4, 8, 8, 8, 8], fcUnits: [16, 16] });
  const a = pytorchDefaultInit(spec, 7);
  const b = pytorchDefaultInit(spec, 7);
  for (const p of paramShapes(spec)) {
    const w = paramShapes(spec).find((q) => q.name === `${p.name.split('.')[0]}.weight`)!;
    const bound = 1 / Math.sqrt(fanIn(w.shape));
    const v = a[p.name].dataSync();
    assert.ok(v.every((x) => Math.abs(x) <= bound), p.name);
    assert.ok(Math.max(...Array.from(v).map(Math.abs)) > 0.5 * bound, `${p.name} fills its range`);
    assert.deepEqual(Array.from(b[p.name].dataSync()), Array.from(v));
  }
  tf.dispose([...Object.values(a), ...Object.values(b)]);
});

test('--json result line: bestEpoch, bestValAccuracy (0..1), bestValLoss, epochs, runDir, seconds', () => {
  const line = resultLine({ runDir: '/r', bestValAcc: 0.95, bestEpoch: 7, bestValLoss: 0.2, epochs: 12, cancelled: false, earlyStopped: true, seconds: 61.5 });
  assert.deepEqual(
    { bestEpoch: line.bestEpoch, bestValAccuracy: line.bestValAccuracy, bestValLoss: line.bestValLoss, epochs: line.epochs, runDir: line.runDir, seconds: line.seconds },
    { bestEpoch: 7, bestValAccuracy: 0.95, bestValLoss: 0.2, epochs: 12, runDir: '/r', seconds: 61.5 },
  );
  assert.equal(JSON.parse(JSON.stringify(line)).kind, 'result');
});

test('runs stay out of git: .alexnet/.gitignore is written once, a user-edited one is kept; Delete Run deletes only run folders', async () => {
  const { mkdtempSync, existsSync, readFileSync, writeFileSync, mkdirSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { createRunDir, deleteRun, runSizeBytes, CONFIG_FILE } = await import('../../../../src/engine/train/runFiles');
  const ws = mkdtempSync(join(tmpdir(), 'alexnet-runs-'));
  const runsRoot = join(ws, '.alexnet', 'runs');
  const run = createRunDir(runsRoot);
  assert.equal(readFileSync(join(ws, '.alexnet', '.gitignore'), 'utf8').trim().split('\n').pop(), '*');
  writeFileSync(join(ws, '.alexnet', '.gitignore'), 'mine\n');
  createRunDir(runsRoot);
  assert.equal(readFileSync(join(ws, '.alexnet', '.gitignore'), 'utf8'), 'mine\n');
  // a runs root elsewhere gets its own
  const other = join(ws, 'elsewhere');
  createRunDir(other);
  assert.ok(existsSync(join(other, '.gitignore')));
  // deleting: refused without config.json, done with it
  assert.throws(() => deleteRun(ws), /not a training run folder/);
  assert.ok(existsSync(ws));
  writeFileSync(join(run, CONFIG_FILE), '{}');
  writeFileSync(join(run, 'best.safetensors'), Buffer.alloc(1000));
  mkdirSync(join(run, 'sub'));
  assert.equal(runSizeBytes(run), 1002);
  deleteRun(run);
  assert.equal(existsSync(run), false);
});
