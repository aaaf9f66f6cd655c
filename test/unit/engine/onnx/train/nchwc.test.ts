// The blocked (NCHWc) convolutions of the CPU training graph against the plain-Conv graph, which
// parity.test.ts holds to PyTorch: the PyTorch fixtures' small channel counts (8, 12, 16, ...) leave
// most convs unblocked, so here the channels are whole blocks (16, 32, 48) and every variant's
// convs run blocked (caffe's grouped ones stay plain), forward, dX and the fused ReLU. 3 SGD steps
// from the same weights and batch; losses within 1e-5 relative, parameters within 1e-4 of the
// change the steps made (both graphs compute in float32 with different summation orders).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeSpec, VARIANTS } from '../../../../../src/engine/model/spec';
import { TrainRunner } from '../../../../../src/engine/onnx/train/runner';
import { detectNchwcBlock } from '../../../../../src/engine/onnx/train/nchwc';
import { Rng } from '../../../../../src/engine/train/rng';
import { heWeights } from '../../../../helpers/heWeights';

test('the NCHWc block size is detected (MLAS has blocked kernels on every x64 CPU with AVX2)', async () => {
  const block = await detectNchwcBlock();
  if (process.arch === 'x64') assert.ok(block === 8 || block === 16, `block ${block}`);
  else assert.ok(block === 0 || block >= 4, `block ${block}`);
});

for (const variant of VARIANTS) {
  test(`NCHWc training step = plain Conv step (${variant}, channels in whole blocks)`, async () => {
    const block = await detectNchwcBlock();
    assert.ok(block > 0 || process.arch !== 'x64', 'x64 has NCHWc kernels');
    const spec = makeSpec(variant, { convChannels: [16, 32, 48, 48, 32], fcUnits: [24, 20], numClasses: 5 });
    const init = heWeights(spec, 7, 0.1);
    const rng = new Rng(7);
    const n = 3;
    const S = spec.inputSize;
    const input = Float32Array.from({ length: n * S * S * 3 }, () => rng.next() * 2 - 1);
    const labels = Int32Array.from({ length: n }, (_, i) => i % 5);
    const run = async (nchwcBlock: number) => {
      const runner = await TrainRunner.create(
        { spec, frozen: false, graph: { nchwcBlock, batchHint: n }, optimizer: { kind: 'sgd', weightDecay: 5e-4, momentum: 0.9 } },
        init,
      );
      try {
        const masks: Record<string, Float32Array> = {};
        for (const m of runner.masks) masks[m.layer] = Float32Array.from({ length: n * m.units }, (_, i) => ((i * 7919) % 3 === 0 ? 0 : 2));
        const losses: number[] = [];
        for (const lr of [0.01, 0.01, 0.005]) losses.push((await runner.step({ input, n, labels, masks, lr })).loss);
        return { losses, params: runner.params() };
      } finally {
        await runner.dispose();
      }
    };
    const plain = await run(0);
    const blocked = await run(block);
    plain.losses.forEach((l, k) => assert.ok(Math.abs(l - blocked.losses[k]) <= 1e-5 * Math.abs(l), `loss ${k + 1}: ${blocked.losses[k]} vs ${l}`));
    for (const [name, want] of Object.entries(plain.params)) {
      const got = blocked.params[name].data;
      const start = init[name].data;
      let change = 0;
      let worst = 0;
      for (let i = 0; i < got.length; i++) {
        change = Math.max(change, Math.abs(want.data[i] - start[i]));
        worst = Math.max(worst, Math.abs(got[i] - want.data[i]));
      }
      assert.ok(change > 0, `${name} changed`);
      assert.ok(worst <= 1e-4 * change, `${name}: max difference ${worst} of the change ${change}`);
    }
  });
}
