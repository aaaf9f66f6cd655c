// Frozen-mode training on cached features of fixed crops: ONNX Runtime's conv features match
// tfjs's, each (image, crop) is computed at most once per run, the crop draws are seeded, the head
// still learns, and a cache over its memory budget falls back to recomputing (and says so).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import sharp from 'sharp';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { makeSpec, VARIANTS } from '../../../../src/engine/model/spec';
import type { Params } from '../../../../src/engine/model/alexnet';
import { saveSafetensors } from '../../../../src/engine/weights/safetensors';
import { fixedCropParams, fixedCrops } from '../../../../src/engine/train/augment';
import { scanDataset } from '../../../../src/engine/train/dataset';
import { variantFor, type FeatureKey } from '../../../../src/engine/train/featureCache';
import { onnxFeatureExtractor, tfjsFeatureExtractor } from '../../../../src/engine/train/featureExtractor';
import { Rng } from '../../../../src/engine/train/rng';
import { openRun } from '../../../../src/engine/train/runFiles';
import { startTraining, type TrainHooks } from '../../../../src/engine/train/trainer';
import type { TrainConfigInput } from '../../../../src/protocol/engine/train';
import { heWeights } from '../../../helpers/heWeights';

const CONV: [number, number, number, number, number] = [8, 16, 16, 16, 16];
const FC: [number, number] = [256, 256];
const EPOCHS = 8;
let root: string;
let weightsPath: string;

/** Two easily separated classes: every pixel of an image is its class colour plus noise (so every crop shows it). */
async function colourFolders(perClass: number): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'alexnet-featurecache-'));
  const rng = new Rng(3);
  const colours: Record<string, number[]> = { red: [200, 50, 40], blue: [40, 60, 200] };
  const [w, h] = [288, 256];
  for (const [name, c] of Object.entries(colours)) {
    mkdirSync(join(dir, name));
    for (let i = 0; i < perClass; i++) {
      const data = Buffer.alloc(w * h * 3);
      for (let p = 0; p < data.length; p++) data[p] = Math.max(0, Math.min(255, Math.round(c[p % 3] + rng.normal(40))));
      await sharp(data, { raw: { width: w, height: h, channels: 3 } }).jpeg({ quality: 90 }).toFile(join(dir, name, `img-${i}.jpg`));
    }
  }
  return dir;
}

const config = (over: Partial<TrainConfigInput> = {}): TrainConfigInput => ({
  variant: 'torchvision', mode: 'frozen', weights: { kind: 'file', path: weightsPath }, epochs: EPOCHS, batchSize: 6, lr: 0.001,
  patience: 5, seed: 21, valFraction: 0.25, convChannels: CONV, fcUnits: FC, ...over,
});

/** Runs a frozen training and records every extracted (set, image, crop) and every log line. */
async function train(over: Partial<TrainConfigInput>, features: TrainHooks['features'] = {}) {
  const extracted: FeatureKey[] = [];
  const runtimes = new Set<string>();
  const logs: string[] = [];
  const res = await startTraining(root, join(root, '.runs'), config(over), {
    log: (m) => logs.push(m),
    features: {
      ...features,
      onExtract: (keys, runtime) => {
        extracted.push(...keys);
        runtimes.add(runtime);
      },
    },
  });
  return { res, extracted, runtimes, logs, ...openRun(res.runDir) };
}

const id = (k: FeatureKey) => `${k.set}:${k.index}:${k.variant}`;

before(async () => {
  await tf.setBackend('cpu');
  root = await colourFolders(8);
  weightsPath = `${root}-he.safetensors`;
  await saveSafetensors(weightsPath, heWeights(makeSpec('torchvision', { convChannels: CONV, fcUnits: FC, numClasses: 5 }), 1), { variant: 'torchvision' });
});
after(() => {
  rmSync(root, { recursive: true, force: true });
  rmSync(weightsPath, { force: true });
});

test('fixed crops: centre first, four corners, mirrored copies; fewer without crop or flip', () => {
  const all = fixedCrops({ crop: true, flip: true });
  assert.equal(all.length, 10);
  assert.deepEqual(all[0], { position: 'centre', flip: false });
  assert.equal(new Set(all.map((c) => `${c.position}/${c.flip}`)).size, 10);
  assert.equal(fixedCrops({ crop: true, flip: false }).length, 5);
  assert.deepEqual(fixedCrops({ crop: false, flip: true }), [{ position: 'centre', flip: false }, { position: 'centre', flip: true }]);
  assert.equal(fixedCrops({ crop: false, flip: false }).length, 1);
  const img = { width: 300, height: 256 };
  assert.deepEqual(fixedCropParams({ position: 'bottom-right', flip: true }, img, 224), { x: 76, y: 32, flip: true, shift: [0, 0, 0] });
  assert.deepEqual(fixedCropParams({ position: 'top-right', flip: false }, img, 224), { x: 76, y: 0, flip: false, shift: [0, 0, 0] });
  assert.deepEqual(fixedCropParams({ position: 'centre', flip: false }, img, 224), { x: 38, y: 16, flip: false, shift: [0, 0, 0] });
});

test('ONNX Runtime features equal tfjs convForward features (every variant, reduced channels)', async () => {
  for (const variant of VARIANTS) {
    const spec = makeSpec(variant, { convChannels: [8, 12, 16, 12, 8], fcUnits: [24, 20], numClasses: 4 });
    const host = heWeights(spec, 9, 0.1);
    const params: Params = {};
    for (const [name, t] of Object.entries(host)) params[name] = tf.tensor(t.data, t.shape);
    const n = 3;
    const s = spec.inputSize;
    const scale = variant === 'torchvision' ? 1 : 30; // caffe-style inputs are mean-subtracted pixels
    const rng = new Rng(4);
    const x = Float32Array.from({ length: n * s * s * 3 }, () => rng.normal(scale));
    const viaTfjs = tfjsFeatureExtractor(spec, params);
    const viaOnnx = await onnxFeatureExtractor(spec, params);
    try {
      assert.equal(viaOnnx.size, viaTfjs.size);
      assert.equal(viaOnnx.size, 6 * 6 * 8);
      const want = await viaTfjs.extract(x, n);
      const got = await viaOnnx.extract(x, n);
      assert.equal(got.length, n * viaTfjs.size);
      let maxAbs = 0;
      let worst = 0;
      for (let i = 0; i < want.length; i++) {
        maxAbs = Math.max(maxAbs, Math.abs(want[i]));
        worst = Math.max(worst, Math.abs(got[i] - want[i]));
      }
      assert.ok(maxAbs > 0.1, `${variant}: features should not be all zero`);
      assert.ok(worst <= 1e-4 * maxAbs, `${variant}: max abs error ${worst} > 1e-4 x ${maxAbs}`);
    } finally {
      await viaOnnx.dispose();
      Object.values(params).forEach((t) => t.dispose());
    }
  }
});

let reference: Awaited<ReturnType<typeof train>>;

test('frozen training with crop + flip: each (image, crop) computed once, seeded crops, the head learns', async () => {
  const run = await train({});
  reference = run;
  const { res, extracted, runtimes, epochs, steps } = run;
  assert.equal(res.cancelled, false);
  assert.equal(epochs.length, EPOCHS);
  assert.deepEqual([...runtimes], ['onnx'], 'ONNX Runtime computes the features');
  // PCA colour noise would change the cached features every epoch: frozen runs record it as off (issue 13)
  assert.equal(run.config.config.augment.pca, false, 'config.json records PCA as off in frozen mode');

  // each (image, crop) once across all epochs
  const ids = extracted.map(id);
  assert.equal(new Set(ids).size, ids.length, 'a feature was computed twice');
  // exactly the crops the seeded draw asks for: centre crops of val, one drawn crop per train image and epoch
  const { train: trainItems, val } = await scanDataset(root, { valFraction: 0.25, seed: 21 });
  const expected = new Set<string>(val.map((_, i) => `val:${i}:0`));
  for (let e = 1; e <= EPOCHS; e++) trainItems.forEach((_, i) => expected.add(`train:${i}:${variantFor(21, e, i, 10)}`));
  assert.deepEqual(new Set(ids), expected);
  const trainVariants = new Set(extracted.filter((k) => k.set === 'train').map((k) => k.variant));
  assert.ok(trainVariants.size >= 5, `crops drawn from all 10 variants, got ${[...trainVariants]}`);
  // later epochs hit the cache: fewer extractions than images seen
  const seen = epochs.reduce((a, e) => a + e.trainImages + e.valImages, 0);
  assert.ok(ids.length < seen * 0.7, `${ids.length} extractions for ${seen} images seen`);

  // learns: the validation loss (centre crops, no dropout) falls and accuracy beats chance
  const valLoss = epochs.map((e) => e.valLoss!);
  assert.ok(valLoss[EPOCHS - 1] < 0.7 * valLoss[0], `val loss ${valLoss.map((v) => v.toFixed(3))}`);
  assert.ok(res.bestValAcc! >= 0.75, `best val acc ${res.bestValAcc}`);
  assert.equal(steps.length, EPOCHS * Math.ceil(trainItems.length / 6));
});

test('same seed, same crops and losses; another seed draws other crops', async () => {
  const again = await train({});
  assert.deepEqual(again.extracted.map(id), reference.extracted.map(id));
  again.steps.forEach((s, i) => assert.ok(Math.abs(s.loss - reference.steps[i].loss) < 1e-5, `step ${s.globalStep}: ${s.loss} vs ${reference.steps[i].loss}`));
  const other = await train({ seed: 22, epochs: 1 });
  const { train: trainItems } = await scanDataset(root, { valFraction: 0.25, seed: 22 });
  const drawn = (keys: FeatureKey[]) => new Map(keys.filter((k) => k.set === 'train').map((k) => [k.index, k.variant]));
  assert.deepEqual(drawn(other.extracted), new Map(trainItems.map((_, i) => [i, variantFor(22, 1, i, 10)])));
  const seed21 = trainItems.map((_, i) => variantFor(21, 1, i, 10));
  assert.notDeepEqual(trainItems.map((_, i) => drawn(other.extracted).get(i)), seed21);
});

test('a cache over its memory budget still trains, recomputes what did not fit, and says so once', async () => {
  const featureBytes = 6 * 6 * CONV[4] * 4;
  const run = await train({ epochs: 2 }, { cacheBudgetBytes: 2 * featureBytes });
  assert.equal(run.res.cancelled, false);
  assert.equal(run.epochs.length, 2);
  const full = run.logs.filter((m) => /feature cache full/.test(m));
  assert.equal(full.length, 1, `one message: ${JSON.stringify(run.logs)}`);
  // half the validation set fits: the other half's centre crops are computed again in epoch 2
  const valIds = run.extracted.filter((k) => k.set === 'val').map(id);
  assert.ok(valIds.length > new Set(valIds).size, 'uncached validation crops were recomputed');
  // and the run matches the fully cached one step for step (same features, same draws)
  run.steps.forEach((s, i) => assert.ok(Math.abs(s.loss - reference.steps[i].loss) < 1e-5, `step ${s.globalStep}`));
  assert.deepEqual(run.epochs.map((e) => e.valAcc), reference.epochs.slice(0, 2).map((e) => e.valAcc));
});

test('tfjs computes the features when asked (the GPU / no-ORT path) and the run still learns', async () => {
  const run = await train({ epochs: 2 }, { runtime: 'tfjs' });
  assert.deepEqual([...run.runtimes], ['tfjs']);
  const ids = run.extracted.map(id);
  assert.equal(new Set(ids).size, ids.length);
  run.steps.forEach((s, i) => assert.ok(Math.abs(s.loss - reference.steps[i].loss) < 1e-3, `step ${s.globalStep}: ${s.loss} vs ${reference.steps[i].loss}`));
});
