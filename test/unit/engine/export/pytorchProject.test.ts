// Export Run as PyTorch Project, end to end on the CPU: a tiny two-class folder, a run config as
// the extension writes it, the exported project run by `torchrun --nproc_per_node=2` (gloo), and
// its run folder read back by the engine (Open Training Run, Use Trained Model's loader).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import sharp from 'sharp';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { makeSpec } from '../../../../src/engine/model/spec';
import { saveWeightsFile } from '../../../../src/engine/weights/savedWeights';
import { loadWeightsFile } from '../../../../src/engine/weights/loadWeights';
import { resolveTrainConfig } from '../../../../src/engine/train/config';
import { scanDataset } from '../../../../src/engine/train/dataset';
import { openRun, writeJsonAtomic } from '../../../../src/engine/train/runFiles';
import { exportPytorchProject } from '../../../../src/engine/export/pytorchProject';
import { randomHostParams } from '../../../helpers/randomHostParams';
import type { RunConfigFile } from '../../../../src/protocol/engine/train';

// torch 1.13's torchrun on Python 3.11 turns the default --redirects/--tee of 0 into None (Std.NONE is
// no longer iterated in 3.11's enum.Flag) and crashes before starting a worker; 1 (stdout) parses.
const TORCHRUN_PY311_FLAGS = ['--redirects', '1', '--tee', '1'];
const CONV: [number, number, number, number, number] = [8, 12, 16, 12, 8];
const FC: [number, number] = [24, 20];

async function tinyFolder(root: string): Promise<void> {
  const colours: Record<string, [number, number, number]> = { blue: [30, 50, 220], red: [220, 40, 30] };
  for (const [name, [r, g, b]] of Object.entries(colours)) {
    mkdirSync(join(root, name), { recursive: true });
    for (let i = 0; i < 5; i++) {
      const px = Buffer.alloc(48 * 40 * 3);
      for (let p = 0; p < px.length; p += 3) {
        const n = ((p * 7919 + i * 104729) % 41) - 20;
        px[p] = Math.max(0, Math.min(255, r + n));
        px[p + 1] = Math.max(0, Math.min(255, g + n));
        px[p + 2] = Math.max(0, Math.min(255, b + n));
      }
      await sharp(px, { raw: { width: 48, height: 40, channels: 3 } }).png().toFile(join(root, name, `${i}.png`));
    }
  }
}

test('an exported project trains one epoch with torchrun --nproc_per_node=2 (gloo) and its run opens in the engine', async () => {
  await tf.setBackend('cpu');
  const dir = mkdtempSync(join(tmpdir(), 'alexnet-project-'));
  const data = join(dir, 'data');
  await tinyFolder(data);
  // starting weights: a 3-class file (its fc8 does not fit the run's 2 classes and is left out)
  const startSpec = makeSpec('torchvision', { convChannels: CONV, fcUnits: FC, numClasses: 3 });
  const startParams = randomHostParams(startSpec, 17);
  const startFile = join(dir, 'start.safetensors');
  await saveWeightsFile(startFile, startSpec, startParams);

  // the run folder the extension would have written (a tiny lr: the trained layers stay next to their start)
  const config = resolveTrainConfig({
    variant: 'torchvision', mode: 'frozen', weights: { kind: 'file', path: startFile }, epochs: 1, batchSize: 4, lr: 1e-12,
    valFraction: 0.4, convChannels: CONV, fcUnits: FC,
  });
  const ds = await scanDataset(data, { valFraction: config.valFraction, seed: config.seed });
  const runDir = join(dir, 'run');
  mkdirSync(runDir);
  const runConfig: RunConfigFile = {
    version: 1, folder: data, config, classNames: ds.classNames, trainCount: ds.train.length, valCount: ds.val.length,
    stepsPerEpoch: Math.ceil(ds.train.length / config.batchSize), layout: ds.summary.layout, createdAt: new Date().toISOString(),
  };
  writeJsonAtomic(join(runDir, 'config.json'), runConfig);

  const project = join(dir, 'project');
  const r = await exportPytorchProject({ runDir, out: project });
  assert.deepEqual(r.files.sort(), ['README.md', 'project.json', 'start.pth', 'train.py']);
  const pj = JSON.parse(readFileSync(join(project, 'project.json'), 'utf8')) as { train: [string, number][]; val: [string, number][] };
  assert.equal(pj.train.length, ds.train.length);
  assert.equal(pj.val.length, ds.val.length);

  const run = spawnSync('/usr/bin/python3', ['-m', 'torch.distributed.run', '--standalone', '--nproc_per_node=2', ...TORCHRUN_PY311_FLAGS, 'train.py'], {
    cwd: project, encoding: 'utf8', timeout: 600_000, env: { ...process.env, OMP_NUM_THREADS: '1' },
  });
  assert.equal(run.status, 0, `torchrun failed:\n${run.stdout}\n${run.stderr}`);
  // without --out the run lands beside the one it was exported from (where Open Training Run looks)
  const torchRuns = readdirSync(dir).filter((n) => n.endsWith('-torch'));
  assert.equal(torchRuns.length, 1, `one new run folder in ${dir}: ${readdirSync(dir).join(', ')}`);
  const out = join(dir, torchRuns[0]);

  // Open Training Run
  const opened = openRun(out);
  assert.deepEqual(opened.config.classNames, ['blue', 'red']);
  assert.equal(opened.epochs.length, 1);
  assert.ok(opened.steps.length >= 1);
  const ep = opened.epochs[0];
  assert.equal(ep.confusion.flat().reduce((a, b) => a + b, 0), ds.val.length);
  assert.equal(ep.trainImages, ds.train.length, 'both ranks\' images are counted');
  assert.ok(Number.isFinite(ep.trainLoss));
  assert.equal(opened.state?.finished, true);
  assert.ok(opened.bestPath && existsSync(opened.bestPath));

  // Use Trained Model: the loader reads best.safetensors with its classes and variant
  const best = await loadWeightsFile(opened.bestPath!);
  assert.deepEqual(best.classNames, ['blue', 'red']);
  assert.equal(best.spec.variant, 'torchvision');
  assert.equal(best.spec.numClasses, 2);
  // frozen convolutions come back bit for bit (the layout round trip PyTorch -> canonical is exact);
  // fc6/fc7 learnt with lr 1e-12, so they equal their start up to rounding (fc6's row order included)
  for (const name of ['conv1', 'conv2', 'conv3', 'conv4', 'conv5']) {
    assert.deepEqual(best.params[`${name}.weight`].data, startParams[`${name}.weight`].data, name);
    assert.deepEqual(best.params[`${name}.bias`].data, startParams[`${name}.bias`].data, name);
  }
  for (const name of ['fc6.weight', 'fc7.weight']) {
    const a = best.params[name].data;
    const b = startParams[name].data;
    let worst = 0;
    for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
    assert.ok(worst < 1e-6, `${name} moved by ${worst}`);
  }
});
