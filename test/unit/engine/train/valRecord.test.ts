// The per-image validation record (val-<epoch>.json): what one image keeps, the file round trip,
// which epochs keep theirs, and a short real run on both step runtimes whose records agree with the
// confusion matrices in metrics.jsonl.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import {
  imagePath, pruneValidationRecords, readValidationRecord, topClasses, validationEpochs, validationFileName, ValidationRecorder, writeValidationRecord,
} from '../../../../src/engine/train/valRecord';
import { resumeTraining, startTraining } from '../../../../src/engine/train/trainer';
import { openRun } from '../../../../src/engine/train/runFiles';
import { scanDataset } from '../../../../src/engine/train/dataset';
import { ortTrainingAvailable } from '../../../../src/engine/train/ortTrainStep';
import type { TrainConfigInput, ValidationRecordFile } from '../../../../src/protocol/engine/train';
import { makeClassFolders } from '../../../fixtures/train/makeDataset';

let data: string;
before(async () => {
  await tf.setBackend('cpu');
  data = await makeClassFolders(4, { seed: 3 });
});
after(() => rmSync(data, { recursive: true, force: true }));

test('topClasses: the most probable classes first, ties by index, at most k', () => {
  assert.deepEqual(topClasses([0.1, 0.6, 0.3]), [[1, 0.6], [2, 0.3], [0, 0.1]]);
  assert.deepEqual(topClasses([0.25, 0.25, 0.5, 0], 2), [[2, 0.5], [0, 0.25]]);
  assert.deepEqual(topClasses([0.123456789, 0.876543211]), [[1, 0.8765], [0, 0.1235]], '4 significant digits keep the file small');
});

test('the recorder keeps paths relative to the dataset, p(true class) even outside the top 3', () => {
  const r = new ValidationRecorder('/data/set');
  r.add('/data/set/cat/a.png', 0, 1, [0.01, 0.5, 0.3, 0.19], -Math.log(0.01));
  const rec = r.record(4, ['cat', 'dog', 'fox', 'owl']);
  assert.equal(rec.epoch, 4);
  assert.equal(rec.folder, '/data/set');
  assert.deepEqual(rec.images, [{ path: join('cat', 'a.png'), actual: 0, predicted: 1, loss: 4.605, pActual: 0.01, top: [[1, 0.5], [2, 0.3], [3, 0.19]] }]);
  assert.equal(imagePath(rec, rec.images[0]), '/data/set/cat/a.png');
});

test('records are written atomically, read back, listed, and pruned to the epochs kept', () => {
  const dir = mkdtempSync(join(tmpdir(), 'alexnet-valrec-'));
  try {
    const rec = (epoch: number): ValidationRecordFile => ({ version: 1, epoch, folder: '/d', classNames: ['a', 'b'], images: [] });
    for (const e of [1, 2, 3, 10]) writeValidationRecord(dir, rec(e));
    assert.deepEqual(readdirSync(dir).filter((n) => n.endsWith('.tmp')), [], 'no temp file left');
    assert.deepEqual(validationEpochs(dir), [1, 2, 3, 10]);
    assert.deepEqual(readValidationRecord(dir, 3), rec(3));
    assert.equal(readValidationRecord(dir, 4), null);
    assert.deepEqual(pruneValidationRecords(dir, [2, 10]), [1, 3]);
    assert.deepEqual(validationEpochs(dir), [2, 10]);
    // a resume to epoch 5 drops the records written after its checkpoint
    assert.deepEqual(pruneValidationRecords(dir, [2, 5, 10], 5), [10]);
    assert.deepEqual(validationEpochs(dir), [2]);
    writeFileSync(join(dir, validationFileName(7)), '{"version":1,"images":');
    assert.throws(() => readValidationRecord(dir, 7), /val-7\.json cannot be read/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const tiny = (over: Partial<TrainConfigInput> = {}): TrainConfigInput => ({
  variant: 'torchvision', preset: 'fine-tune', mode: 'frozen', epochs: 3, batchSize: 4, lr: 0.01, valFraction: 0.5, seed: 5, patience: 3, earlyStop: 0,
  convChannels: [4, 8, 8, 8, 8], fcUnits: [32, 32], augment: { crop: false, flip: false, pca: false }, ...over,
});

async function checkRun(stepRuntime: 'tfjs' | 'onnx'): Promise<void> {
  const runsRoot = join(data, `.runs-${stepRuntime}`);
  const res = await startTraining(data, runsRoot, tiny(), { stepRuntime });
  assert.equal(res.epochs, 3);
  const { epochs } = openRun(res.runDir);
  const best = epochs.filter((e) => e.best).pop()!.epoch;
  // only the best and the last epoch keep their record
  assert.deepEqual(validationEpochs(res.runDir), [...new Set([best, 3])].sort((a, b) => a - b));
  const { val } = await scanDataset(data, { valFraction: 0.5, seed: 5 });
  for (const epoch of validationEpochs(res.runDir)) {
    const rec = readValidationRecord(res.runDir, epoch)!;
    const metrics = epochs[epoch - 1];
    assert.deepEqual(rec.classNames, ['blue', 'green', 'red']);
    assert.equal(rec.images.length, metrics.valImages);
    assert.deepEqual(rec.images.map((i) => imagePath(rec, i)).sort(), val.map((v) => v.path).sort(), 'every validation image, once');
    // the record rebuilds the epoch's confusion matrix and its mean loss
    const cm = rec.classNames.map(() => rec.classNames.map(() => 0));
    for (const i of rec.images) cm[i.actual][i.predicted]++;
    assert.deepEqual(cm, metrics.confusion);
    const meanLoss = rec.images.reduce((a, i) => a + i.loss, 0) / rec.images.length;
    assert.ok(Math.abs(meanLoss - metrics.valLoss!) < 1e-3 * Math.max(1, metrics.valLoss!), `mean loss ${meanLoss} vs ${metrics.valLoss}`);
    for (const i of rec.images) {
      assert.equal(i.top.length, 3);
      assert.equal(i.top[0][0], i.predicted, 'the prediction is the most probable class');
      assert.ok(i.top.every(([, p], k) => p >= 0 && p <= 1 && (k === 0 || p <= i.top[k - 1][1])));
      assert.ok(Math.abs(i.top.reduce((a, [, p]) => a + p, 0) - 1) < 2e-3, 'three classes: the top 3 is the whole softmax');
      assert.ok(Math.abs(i.pActual - Math.exp(-i.loss)) < 2e-3 * Math.max(1, i.pActual), 'p(true class) = exp(-loss)');
      assert.equal(val.find((v) => v.path === imagePath(rec, i))!.label, i.actual);
    }
  }
  // one more epoch: the old last epoch's record goes unless it is the best
  await resumeTraining(res.runDir, {}, { epochs: 4 });
  const after = openRun(res.runDir).epochs;
  const best4 = after.filter((e) => e.best).pop()!.epoch;
  assert.deepEqual(validationEpochs(res.runDir), [...new Set([best4, 4])].sort((a, b) => a - b));
  assert.ok(!existsSync(join(res.runDir, `${validationFileName(4)}.tmp`)));
}

test('a run records every validation image of its best and last epoch (tfjs steps)', async () => {
  await checkRun('tfjs');
});

test('a run records every validation image of its best and last epoch (ONNX Runtime steps)', { skip: !ortTrainingAvailable('auto').ok && 'onnxruntime-node does not load here' }, async () => {
  await checkRun('onnx');
});
