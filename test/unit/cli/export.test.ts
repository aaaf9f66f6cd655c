// `alexnet export` / `alexnet export-project` from the command line: formats from --format or the
// file extension, a run folder exports its best.safetensors with the run's classes, bad input
// gets a clear message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { main } from '../../../src/cli/main';
import { makeSpec } from '../../../src/engine/model/spec';
import { saveWeightsFile } from '../../../src/engine/weights/savedWeights';
import { loadWeightsFile } from '../../../src/engine/weights/loadWeights';
import { writeJsonAtomic } from '../../../src/engine/train/runFiles';
import { inspectModelFile } from '../../../src/engine/modelFile/inspectFile';
import { randomHostParams } from '../../helpers/randomHostParams';

test('alexnet export: a run folder to .pth and .onnx (format from the extension), errors for bad input', async () => {
  await tf.setBackend('cpu');
  const dir = mkdtempSync(join(tmpdir(), 'alexnet-cli-export-'));
  const spec = makeSpec('caffe', { convChannels: [8, 12, 16, 12, 8], fcUnits: [24, 20], numClasses: 3 });
  const run = join(dir, 'run');
  mkdirSync(run);
  writeJsonAtomic(join(run, 'config.json'), { version: 1, classNames: ['ant', 'bee', 'wasp'] });
  await saveWeightsFile(join(run, 'best.safetensors'), spec, randomHostParams(spec, 1));

  assert.equal(await main(['export', run, '--out', join(dir, 'm.pth')]), 0);
  const pth = await loadWeightsFile(join(dir, 'm.pth'));
  assert.equal(pth.source.keyStyle, 'notebook');
  assert.equal(pth.source.fileVariant, 'caffe');
  assert.equal(await main(['export', run, '--format', 'onnx', '--out', join(dir, 'm.onnx')]), 0);
  const onnx = await inspectModelFile(join(dir, 'm.onnx'));
  assert.deepEqual(onnx.alexnet?.classNames, ['ant', 'bee', 'wasp'], 'the run\'s classes travel in the ONNX metadata');
  assert.equal(onnx.alexnet?.variant, 'caffe');

  await assert.rejects(main(['export', run, '--format', 'tflite', '--out', join(dir, 'm.x')]), /--format must be one of onnx, pth, safetensors/);
  await assert.rejects(main(['export', join(dir, 'nope'), '--format', 'pth', '--out', join(dir, 'x.pth')]), /does not exist/);
  await assert.rejects(main(['export', dir, '--format', 'pth', '--out', join(dir, 'x.pth')]), /not a training run/);
  assert.equal(await main(['export', run]), 2, 'no --out: usage');
  await assert.rejects(main(['export-project', dir, '--out', join(dir, 'p')]), /not a training run folder/);
});
