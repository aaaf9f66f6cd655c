// The trainer's steps per ORT run (ortTrainStep.ts): which runs take several, and that a step function
// of S steps per run gives the numbers of one step per run, bit for bit, including the fall back to
// single steps when fewer batches come (an epoch's last, a batch whose images were all skipped).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeSpec } from '../../../../src/engine/model/spec';
import { resolveTrainConfig } from '../../../../src/engine/train/config';
import { chooseStepsPerRun, createOrtTrainStep, type OrtBatch } from '../../../../src/engine/train/ortTrainStep';
import { fixedBatch, fixedParams } from '../../../../src/engine/onnx/selfTestChild';
import type { HostTensor } from '../../../../src/engine/weights/hostTensor';

test('steps per run: frozen and probe modes only (Adam 4 or 2, SGD 4 or 3), dividing the epoch; 1 on GPUs', () => {
  assert.equal(chooseStepsPerRun('cpu', 'adam', true, 12), 1);
  assert.equal(chooseStepsPerRun('cpu', 'adam', false, 12), 4);
  assert.equal(chooseStepsPerRun('cpu', 'adam', false, 6), 2);
  assert.equal(chooseStepsPerRun('cpu', 'sgd', true, 12), 1);
  assert.equal(chooseStepsPerRun('cpu', 'sgd', false, 12), 4);
  assert.equal(chooseStepsPerRun('cpu', 'sgd', false, 9), 3);
  assert.equal(chooseStepsPerRun('cpu', 'sgd', false, 7), 1);
  assert.equal(chooseStepsPerRun('webgpu', 'adam', false, 12), 1);
});

const SMALL = { convChannels: [4, 8, 8, 8, 8] as [number, number, number, number, number], fcUnits: [16, 16] as [number, number] };
const spec = makeSpec('torchvision', { ...SMALL, numClasses: 3 });
const copy = (p: Record<string, HostTensor>) => Object.fromEntries(Object.entries(p).map(([k, v]) => [k, { shape: [...v.shape], data: Float32Array.from(v.data) }]));

for (const optimizer of ['sgd', 'adam'] as const) {
  test(`${optimizer}: 3 steps per run (then 2 more, one by one) = 5 steps of one per run, bit for bit`, async () => {
    const config = resolveTrainConfig({ variant: 'torchvision', mode: 'scratch', preset: 'paper', optimizer, batchSize: 2, lr: 0.01, ...SMALL });
    const initial = fixedParams(spec, 3) as Record<string, HostTensor>;
    const batches: OrtBatch[] = [0, 1, 2, 3, 4].map((k) => ({ x: fixedBatch(spec, 2, 5 + k), labels: Int32Array.of(k % 3, (k + 1) % 3), indices: [0, 1] }));
    const lrs = [0.01, 0.01, 0.005, 0.005, 0.002];
    const single = await createOrtTrainStep({ config, spec, trained: copy(initial) });
    const grouped = await createOrtTrainStep({ config, spec, trained: copy(initial), stepsPerRun: 3 });
    try {
      assert.equal(grouped.stepsPerRun, 3);
      const a: number[] = [];
      for (let k = 0; k < 5; k++) a.push((await single.step(batches[k], lrs[k], 100 + k)).loss);
      const items = batches.map((b, k) => ({ b, lr: lrs[k], dropoutSeed: 100 + k }));
      const b = [...(await grouped.steps(items.slice(0, 3))), ...(await grouped.steps(items.slice(3)))].map((r) => r.loss);
      assert.equal(grouped.stepsPerRun, 1, 'fewer batches than a run takes: one step per run from then on');
      assert.deepEqual(b, a);
      const pa = single.params();
      const pb = grouped.params();
      for (const name of Object.keys(pa)) assert.ok(Buffer.from(pa[name].data.buffer, pa[name].data.byteOffset, pa[name].data.byteLength).equals(Buffer.from(pb[name].data.buffer, pb[name].data.byteOffset, pb[name].data.byteLength)), `${name} differs`);
      const sa = single.stateTensors();
      const sb = grouped.stateTensors();
      for (const name of Object.keys(sa)) assert.ok(Buffer.from(sa[name].data.buffer).equals(Buffer.from(sb[name].data.buffer)), `state ${name} differs`);
      assert.deepEqual(grouped.optimizerState(), single.optimizerState());
    } finally {
      await single.dispose();
      await grouped.dispose();
    }
  });
}
