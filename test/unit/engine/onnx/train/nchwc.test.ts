// The blocked (NCHWc) convolutions of the CPU training graph against the plain-Conv graph, which
// parity.test.ts holds to PyTorch: the PyTorch fixtures' small channel counts (8, 12, 16, ...) leave
// most convs unblocked, so here the channels are whole blocks (16 to 96; caffe's per group) and every
// variant's convs run blocked (caffe's grouped ones one blocked conv per group), forward, dX and the
// fused ReLU; the graph is checked to hold exactly those blocked nodes. 3 SGD steps
// from the same weights and batch; losses within 1e-5 relative, parameters within 1e-4 of the
// change the steps made (both graphs compute in float32 with different summation orders).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeSpec, VARIANTS } from '../../../../../src/engine/model/spec';
import { TrainRunner } from '../../../../../src/engine/onnx/train/runner';
import { detectNchwcBlock, NCHWC_DOMAIN } from '../../../../../src/engine/onnx/train/nchwc';
import { buildTrainStep } from '../../../../../src/engine/onnx/train/step';
import { CPU_GRAPH_OPTIONS } from '../../../../../src/engine/onnx/train/graphBuilder';
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
    // caffe's groups of 2 halve the channels each blocked conv sees
    const convChannels: [number, number, number, number, number] = variant === 'caffe' ? [32, 64, 96, 96, 64] : [16, 32, 48, 48, 32];
    const spec = makeSpec(variant, { convChannels, fcUnits: [24, 20], numClasses: 5 });
    if (block > 0) {
      // per blocked conv, forward and (stride 1) dX: ReorderInput (unless fewer channels than a block), Conv, ReorderOutput
      let expected = 1; // the operator set import
      for (const l of spec.layers) {
        if (l.kind !== 'conv') continue;
        expected += l.groups * (l.inChannels / l.groups < block ? 2 : 3);
        if (l.stride === 1) expected += l.groups * 3;
      }
      const bytes = buildTrainStep({ spec, frozen: false, graph: { ...CPU_GRAPH_OPTIONS, nchwcBlock: block, batchHint: 3 }, optimizer: { kind: 'sgd', weightDecay: 5e-4 } }).bytes;
      assert.equal(Buffer.from(bytes).toString('latin1').split(NCHWC_DOMAIN).length - 1, expected, 'blocked nodes in the graph');
    }
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
