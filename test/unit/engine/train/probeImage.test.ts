// The probe image: probe.json written mid-run (as the training view does) is picked up at the next
// epoch's end, each epoch then gets probe-<epoch>.json with a top-5 and a Grad-CAM heatmap, and a
// bad probe.json is logged without stopping the run. Short real runs on both step runtimes.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { resumeTraining, startTraining } from '../../../../src/engine/train/trainer';
import { latestProbeRecord, probeEpochs, PROBE_REQUEST_FILE, pruneProbeRecords, readProbeRequest, writeProbeRecord, writeProbeRequest } from '../../../../src/engine/train/probeFiles';
import { ortTrainingAvailable } from '../../../../src/engine/train/ortTrainStep';
import { Rng } from '../../../../src/engine/train/rng';
import { computeProbe } from '../../../../src/engine/train/probeImage';
import { resolveTrainConfig } from '../../../../src/engine/train/config';
import { trainSpec } from '../../../../src/engine/train/model';
import { heWeights } from '../../../helpers/heWeights';
import type { ProbeRecordFile, TrainConfigInput, TrainEvent, TrainProbeEvent } from '../../../../src/protocol/engine/train';
import { makeClassFolders, writeSquare } from '../../../fixtures/train/makeDataset';

let data: string;
before(async () => {
  await tf.setBackend('cpu');
  data = await makeClassFolders(3, { seed: 4 });
  // two more colours: five classes, so the top-5 is five of them
  const rng = new Rng(9);
  for (const [name, colour] of [['yellow', [220, 210, 40]], ['purple', [150, 40, 200]]] as const) {
    mkdirSync(join(data, name));
    for (let i = 0; i < 3; i++) await writeSquare(join(data, name, `img-${i}.jpg`), [...colour], rng);
  }
});
after(() => rmSync(data, { recursive: true, force: true }));

test('probe.json: absent is null, a bad one is a clear message', () => {
  const dir = mkdtempSync(join(tmpdir(), 'alexnet-probe-'));
  try {
    assert.equal(readProbeRequest(dir), null);
    writeFileSync(join(dir, PROBE_REQUEST_FILE), '{"version":1,');
    assert.throws(() => readProbeRequest(dir), /probe\.json cannot be read/);
    writeFileSync(join(dir, PROBE_REQUEST_FILE), '{"version":1}');
    assert.throws(() => readProbeRequest(dir), /names no image/);
    writeProbeRequest(dir, join(dir, 'missing.jpg'));
    assert.throws(() => readProbeRequest(dir), /missing\.jpg does not exist/);
    assert.equal(latestProbeRecord(dir), null);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('probe records: each epoch\'s replaces the earlier ones, and a resume drops those after its checkpoint', () => {
  const dir = mkdtempSync(join(tmpdir(), 'alexnet-probe-'));
  const record = (epoch: number): ProbeRecordFile => ({
    version: 1, epoch, image: '/x.jpg', classNames: ['a'], top: [[0, 1]], classIndex: 0, layer: 'relu5', height: 1, width: 1, heatmap: [1], cropFraction: 0.875, runtime: 'onnx',
  });
  try {
    writeProbeRecord(dir, record(1));
    writeProbeRecord(dir, record(2));
    assert.deepEqual(probeEpochs(dir), [2]);
    writeFileSync(join(dir, 'probe-5.json'), JSON.stringify(record(5))); // a crashed run's epoch 5, checkpoint at 4
    writeFileSync(join(dir, 'probe-notes.json'), '{}'); // not a record: left alone
    assert.deepEqual(pruneProbeRecords(dir, (e) => e > 4), [5]);
    assert.deepEqual(probeEpochs(dir), [2]);
    assert.equal(latestProbeRecord(dir)?.epoch, 2);
    assert.ok(existsSync(join(dir, 'probe-notes.json')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const tiny = (over: Partial<TrainConfigInput> = {}): TrainConfigInput => ({
  variant: 'torchvision', preset: 'fine-tune', mode: 'frozen', epochs: 3, batchSize: 4, lr: 0.01, valFraction: 0.4, seed: 5, patience: 3, earlyStop: 0,
  convChannels: [4, 8, 8, 8, 8], fcUnits: [32, 32], augment: { crop: false, flip: false, pca: false }, ...over,
});

async function checkRun(stepRuntime: 'tfjs' | 'onnx', mode: 'frozen' | 'finetune'): Promise<void> {
  const image = join(data, 'red', 'img-00.jpg');
  const events: TrainProbeEvent[] = [];
  const logs: string[] = [];
  const emit = (e: TrainEvent) => {
    // mid-run, as the view does: first a probe.json naming a missing file, then the real image during epoch 2
    if (e.kind === 'trainStart') writeProbeRequest(e.runDir, join(data, 'nope.jpg'));
    if (e.kind === 'trainStep' && e.epoch === 2) writeProbeRequest(e.runDir, image);
    if (e.kind === 'trainProbe') events.push(e);
  };
  const res = await startTraining(data, join(data, `.runs-${stepRuntime}-${mode}`), tiny({ mode }), { stepRuntime, emit, log: (m) => logs.push(m) });
  assert.equal(res.epochs, 3, 'a bad probe image never stops the run');
  assert.ok(logs.some((m) => /probe image skipped at epoch 1: .*nope\.jpg does not exist/.test(m)), logs.join('\n'));
  assert.deepEqual(probeEpochs(res.runDir), [3], 'epoch 1 had no valid image; 2 and 3 did, and only the latest record is kept');
  assert.deepEqual(events.map((e) => e.epoch), [2, 3]);
  assert.deepEqual(readdirSync(res.runDir).filter((n) => n.endsWith('.tmp')), [], 'written atomically');
  const latest = latestProbeRecord(res.runDir)!;
  assert.equal(latest.epoch, 3);
  for (const e of events) {
    assert.equal(e.image, image);
    assert.equal(e.runtime, stepRuntime);
    assert.deepEqual(e.classNames, ['blue', 'green', 'purple', 'red', 'yellow']);
    assert.equal(e.top.length, 5);
    assert.equal(e.top[0][0], e.classIndex, 'the heatmap explains the top-1 class');
    assert.deepEqual([...new Set(e.top.map(([c]) => c))].sort(), [0, 1, 2, 3, 4]);
    assert.ok(e.top.every(([, p], k) => p >= 0 && p <= 1 && (k === 0 || p <= e.top[k - 1][1])), 'probabilities, highest first');
    const sum = e.top.reduce((a, [, p]) => a + p, 0);
    assert.ok(sum <= 1 + 1e-3 && sum > 0.99, `five of five classes: the whole softmax (${sum})`);
    // conv5 of the torchvision layout on a 224 crop is 13 x 13
    assert.equal(e.layer, 'relu5');
    assert.deepEqual([e.height, e.width], [13, 13]);
    assert.equal(e.heatmap.length, 13 * 13);
    assert.ok(e.heatmap.every((v) => v >= 0 && v <= 1));
  }
  assert.deepEqual({ ...latest }, Object.fromEntries(Object.entries(events[1]).filter(([k]) => k !== 'kind' && k !== 'runDir')), 'the file holds what the event sent');
}

test('a probe image chosen mid-run gets a top-5 and Grad-CAM every epoch after (tfjs steps, frozen)', async () => {
  await checkRun('tfjs', 'frozen');
});

test('a probe image chosen mid-run gets a top-5 and Grad-CAM every epoch after (ONNX Runtime steps, fine-tune)', { skip: !ortTrainingAvailable('auto').ok && 'onnxruntime-node does not load here' }, async () => {
  await checkRun('onnx', 'finetune');
});

test('ONNX Runtime and tfjs give the same probe result for the same weights', { skip: !ortTrainingAvailable('auto').ok && 'onnxruntime-node does not load here' }, async () => {
  const config = resolveTrainConfig(tiny({ mode: 'scratch' }));
  const spec = trainSpec(config, 5);
  // He-initialised weights with small biases: the paper's init (zero conv biases, this tiny net) gives
  // an all-zero map, which any two runtimes would agree on
  const host = heWeights(spec, 7, 0.1);
  const classNames = ['blue', 'green', 'purple', 'red', 'yellow'];
  const image = join(data, 'green', 'img-01.jpg');
  const [onnx, tfjs] = [await computeProbe({ spec, host, image, epoch: 1, classNames, runtime: 'onnx' }), await computeProbe({ spec, host, image, epoch: 1, classNames, runtime: 'tfjs' })];
  assert.equal(onnx.classIndex, tfjs.classIndex);
  assert.deepEqual(onnx.top.map(([c]) => c), tfjs.top.map(([c]) => c));
  onnx.top.forEach(([, p], k) => assert.ok(Math.abs(p - tfjs.top[k][1]) < 1e-3, `p ${p} vs ${tfjs.top[k][1]}`));
  assert.equal(onnx.heatmap.length, tfjs.heatmap.length);
  const maxDiff = Math.max(...onnx.heatmap.map((v, i) => Math.abs(v - tfjs.heatmap[i])));
  assert.ok(maxDiff < 0.02, `heatmaps differ by ${maxDiff}`);
  assert.equal(Math.max(...onnx.heatmap), 1, 'normalised to a maximum of 1');
  assert.equal(Math.max(...tfjs.heatmap), 1);
  assert.equal(onnx.cropFraction, 224 / 256);
});

test('a probe image given at the start (the form, --probe-image) is watched from the first epoch, one given to a resume from the next; a missing one is refused before anything is written', async () => {
  const runs = join(data, '.runs-start-probe');
  await assert.rejects(startTraining(data, runs, tiny({ epochs: 1 }), {}, { probeImage: join(data, 'gone.jpg') }), /the probe image .*gone\.jpg does not exist/);
  assert.ok(!existsSync(runs) || readdirSync(runs).filter((n) => !n.startsWith('.')).length === 0, 'no run folder for a refused start');
  const image = join(data, 'blue', 'img-01.jpg');
  const res = await startTraining(data, runs, tiny({ epochs: 1 }), { stepRuntime: 'tfjs' }, { probeImage: image });
  assert.equal(readProbeRequest(res.runDir), image);
  assert.deepEqual(probeEpochs(res.runDir), [1]);
  assert.equal(latestProbeRecord(res.runDir)?.image, image);
  // a resume (alexnet train --resume --probe-image) watches another one from its next epoch
  await assert.rejects(resumeTraining(res.runDir, { stepRuntime: 'tfjs' }, { epochs: 2, probeImage: join(data, 'gone.jpg') }), /gone\.jpg does not exist/);
  assert.equal(readProbeRequest(res.runDir), image, 'a refused resume changes nothing');
  const other = join(data, 'red', 'img-02.jpg');
  await resumeTraining(res.runDir, { stepRuntime: 'tfjs' }, { epochs: 2, probeImage: other });
  assert.deepEqual(probeEpochs(res.runDir), [2]);
  assert.equal(latestProbeRecord(res.runDir)?.image, other);
});
