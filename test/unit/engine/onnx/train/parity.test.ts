// The ONNX training step against PyTorch 1.13 (test/fixtures/make_train_parity.py): from the same
// weights, batch and dropout masks, 3 steps of SGD (momentum 0.9, weight decay 5e-4, the learning
// rate halved at step 3) or Adam (weight decay 5e-4, global gradient-norm clipping active), for
// every variant, the whole network and frozen mode (the FC layers on cached features).
//
// Tolerances. Both sides compute in float32 with different summation orders (ORT's im2col Gemm
// and MLAS convolutions vs PyTorch's), so each value carries ~1e-6 relative noise that three steps
// of backprop amplify. Losses: 1e-4 relative. Parameters: the error is judged against the size of
// the change the 3 steps made (comparing to the weights themselves would hide a wrong update):
// max|ours - torch| <= tol x max|torch final - init| per tensor, tol = 5e-4 for SGD (measured worst
// 4.7e-5) and 2e-3 for Adam (measured worst 2.6e-4: Adam divides by sqrt(v), which magnifies the
// noise of small gradients). The graph options for EPs other than the CPU (mask-based pool gradient,
// Conv-of-transposes dW, no Sum/LogSoftmax) and the im2col dW split in batch chunks are held to the same bounds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { makeSpec, type VariantName } from '../../../../../src/engine/model/spec';
import { TrainRunner } from '../../../../../src/engine/onnx/train/runner';
import { GPU_GRAPH_OPTIONS, type TrainGraphOptions } from '../../../../../src/engine/onnx/train/graphBuilder';
import { readSafetensors } from '../../../../../src/engine/weights/safetensors';
import type { HostTensor } from '../../../../../src/engine/weights/hostTensor';

const DIR = join(__dirname, '../../../../fixtures/train-parity');

interface Case {
  variant: VariantName;
  optimizer: 'sgd' | 'adam';
  mode: 'whole' | 'frozen';
  lrs: number[];
  momentum: number;
  weightDecay: number;
  beta1: number;
  beta2: number;
  eps: number;
  maxNorm: number | null;
  conv: [number, number, number, number, number];
  fc: [number, number];
  classes: number;
}

const files = readdirSync(DIR).filter((f) => f.endsWith('.safetensors')).sort();
const runs: [string, string, TrainGraphOptions | undefined][] = [
  ...files.map((f): [string, string, undefined] => [f, 'CPU graph', undefined]),
  ...files.filter((f) => f.includes('-whole-')).map((f): [string, string, TrainGraphOptions] => [f, 'any-EP graph', GPU_GRAPH_OPTIONS]),
  // the im2col dW in batch chunks (as at batch 128): one image per chunk, built for 3 of the batch's 4
  // images, so the last chunk takes the rest
  ...files.filter((f) => f.includes('-whole-sgd')).map((f): [string, string, TrainGraphOptions] => [f, 'CPU graph, dW in 1-image chunks', { im2colMaxBytes: 1, batchHint: 3 }]),
];
for (const [file, label, graph] of runs) {
  test(`ORT training step = PyTorch (${label}): ${file}`, async () => {
    const buf = readFileSync(join(DIR, file));
    const { tensors, metadata } = readSafetensors(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength));
    const c = JSON.parse(metadata.case) as Case;
    const spec = makeSpec(c.variant, { convChannels: c.conv, fcUnits: c.fc, numClasses: c.classes });
    const init: Record<string, HostTensor> = {};
    for (const [k, t] of Object.entries(tensors)) if (k.startsWith('init/')) init[k.slice(5)] = t;
    const frozen = c.mode === 'frozen';
    const runner = await TrainRunner.create(
      {
        spec, frozen, graph,
        optimizer: { kind: c.optimizer, weightDecay: c.weightDecay, momentum: c.momentum, beta1: c.beta1, beta2: c.beta2, eps: c.eps, clipNorm: c.maxNorm ?? 0 },
      },
      init,
    );
    try {
      const input = frozen ? tensors.features.data : tensors.x_u8.data.map((v) => (v - 128) / 64);
      const labels = Int32Array.from(tensors.labels.data);
      const n = labels.length;
      const losses: number[] = [];
      for (let k = 0; k < 3; k++) {
        const masks: Record<string, Float32Array> = {};
        for (const m of runner.masks) masks[m.layer] = tensors[`mask${k}/${m.layer}`].data.map((v) => v * 2);
        losses.push((await runner.step({ input, n, labels, masks, lr: c.lrs[k] })).loss);
      }
      const expected = [...tensors.loss.data];
      losses.forEach((l, k) => assert.ok(Math.abs(l - expected[k]) <= 1e-4 * Math.abs(expected[k]), `loss ${k + 1}: ${l} vs PyTorch ${expected[k]}`));
      const final = runner.params();
      const names = Object.keys(tensors).filter((k) => k.startsWith('final/')).map((k) => k.slice(6));
      assert.equal(names.length, Object.keys(final).length, 'every trained parameter is compared');
      for (const name of names) {
        const want = tensors[`final/${name}`].data;
        const got = final[name].data;
        const start = init[name].data;
        let change = 0;
        for (let i = 0; i < want.length; i++) change = Math.max(change, Math.abs(want[i] - start[i]));
        assert.ok(change > 0, `${name} changed`);
        let worst = 0;
        for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]));
        const rel = worst / change;
        if (process.env.PARITY_VERBOSE) console.log(file, label, name, 'worst/change', rel.toExponential(2));
        const tol = c.optimizer === 'sgd' ? 5e-4 : 2e-3;
        assert.ok(rel <= tol, `${name}: max error ${worst} = ${rel.toExponential(2)} of the change ${change} (bound ${tol})`);
      }
    } finally {
      await runner.dispose();
    }
  });
}
