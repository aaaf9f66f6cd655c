// Several training steps in one ORT run (step.ts stepsPerRun) against one step per run: the same
// kernels on the same shapes in the same order, so the losses, weights and optimiser state come out
// identical, bit for bit (a run resumed from a checkpoint continues the same numbers whatever the
// grouping).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeSpec, type ModelSpec } from '../../../../../src/engine/model/spec';
import { TrainRunner, type StepInput } from '../../../../../src/engine/onnx/train/runner';
import { Rng } from '../../../../../src/engine/train/rng';
import { heWeights } from '../../../../helpers/heWeights';

const spec = makeSpec('torchvision', { convChannels: [16, 32, 48, 48, 32], fcUnits: [24, 20], numClasses: 5 });

const startingWeights = (s: ModelSpec) => heWeights(s, 3, 0.1);

async function batches(runner: TrainRunner, frozen: boolean, count: number): Promise<StepInput[]> {
  const rng = new Rng(11);
  return Array.from({ length: count }, (_, k) => {
    const n = 2 + (k % 2); // batches of different sizes in one run
    const size = frozen ? n * 36 * 32 : n * spec.inputSize * spec.inputSize * 3;
    const masks: Record<string, Float32Array> = {};
    for (const m of runner.masks) masks[m.layer] = Float32Array.from({ length: n * m.units }, () => (rng.next() < 0.5 ? 0 : 2));
    return {
      input: Float32Array.from({ length: size }, () => rng.next() * 2 - 1),
      n, labels: Int32Array.from({ length: n }, () => rng.int(5)), masks, lr: k < 2 ? 0.01 : 0.004,
    };
  });
}

type Kind = 'sgd' | 'adam';
async function train(kind: Kind, frozen: boolean, stepsPerRun: number, groups: number[]) {
  const runner = await TrainRunner.create(
    { spec, frozen, stepsPerRun, optimizer: { kind, weightDecay: 5e-4, momentum: 0.9, clipNorm: kind === 'adam' ? 0.5 : 0 } },
    startingWeights(spec),
  );
  try {
    const all = await batches(runner, frozen, groups.reduce((a, b) => a + b, 0));
    const losses: number[] = [];
    let at = 0;
    for (const size of groups) {
      for (const r of await runner.steps(all.slice(at, at + size))) losses.push(r.loss);
      at += size;
    }
    return { losses, params: runner.params(), state: runner.state() };
  } finally {
    await runner.dispose();
  }
}

function assertSame(a: Awaited<ReturnType<typeof train>>, b: Awaited<ReturnType<typeof train>>) {
  assert.deepEqual(b.losses, a.losses);
  for (const [name, t] of Object.entries(a.params)) assert.ok(Buffer.from(t.data.buffer).equals(Buffer.from(b.params[name].data.buffer)), `${name} differs`);
  assert.equal(b.state.steps, a.state.steps);
  for (const [name, t] of Object.entries(a.state.tensors)) assert.ok(Buffer.from(t.data.buffer).equals(Buffer.from(b.state.tensors[name].data.buffer)), `state ${name} differs`);
}

for (const frozen of [false, true]) {
  const mode = frozen ? 'frozen' : 'whole';
  test(`SGD (${mode}): 4 steps in one run = 4 runs of one step, bit for bit`, async () => {
    assertSame(await train('sgd', frozen, 1, [1, 1, 1, 1]), await train('sgd', frozen, 4, [4]));
  });
  test(`Adam with clipping (${mode}): 2 runs of 2 steps = 4 runs of one step, bit for bit`, async () => {
    assertSame(await train('adam', frozen, 1, [1, 1, 1, 1]), await train('adam', frozen, 2, [2, 2]));
  });
}

test('a run of several steps takes exactly that many batches', async () => {
  const runner = await TrainRunner.create({ spec, frozen: true, stepsPerRun: 3, optimizer: { kind: 'sgd', weightDecay: 5e-4, momentum: 0.9 } }, startingWeights(spec));
  try {
    const b = await batches(runner, true, 2);
    await assert.rejects(runner.steps(b), /2 batches for a run of exactly 3 steps/);
  } finally {
    await runner.dispose();
  }
});
