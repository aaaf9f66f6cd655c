// The GPU code path without a GPU: ONNX Runtime's WebGPU EP on a software Vulkan driver (Mesa 25's
// lavapipe: `scripts/system-packages.sh webgpu`, which CI runs). A machine without it fails here,
// saying so: the WebGPU path is part of the product, not optional.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { makeSpec } from '../../../../src/engine/model/spec';
import { createOnnxRuntime } from '../../../../src/engine/onnx';
import { runSelfTest, SELF_TEST_TOLERANCE } from '../../../../src/engine/onnx/selfTest';
import { chooseDevice } from '../../../../src/engine/onnx/deviceChoice';
import { activationLayers } from '../../../../src/engine/inspect/analysis';
import { fixedBatch, fixedParams, trainStepDiffs } from '../../../../src/engine/onnx/selfTestChild';
import { loadOrt } from '../../../../src/engine/onnx/runtime';

const NO_VULKAN = 'no working WebGPU adapter: install Mesa 25 lavapipe with `scripts/system-packages.sh webgpu` (CI does)';

test('the WebGPU self-test passes on this machine\'s adapter: forward (every layer) and a training step (loss, every parameter) of caffe and torchvision within tolerance, no node on the CPU', { timeout: 300_000 }, async () => {
  const r = await runSelfTest('webgpu');
  assert.equal(r.ok, true, `${NO_VULKAN}: ${r.reason}`);
  assert.deepEqual(r.cpuNodes, []);
  assert.ok(r.worst!.relError <= SELF_TEST_TOLERANCE);
  assert.match(r.reason, /forward and training step match the CPU/);
  if (process.platform === 'linux') assert.ok(r.adapter, 'the Vulkan loader named the adapter');
  // asked for explicitly, a software adapter is used; auto would pass it over on a machine without a GPU node
  const chosen = await chooseDevice('webgpu', { selfTest: async () => r });
  assert.equal(chosen.chosen, 'webgpu');
});

test('full-size torchvision on the WebGPU EP equals the CPU EP layer by layer (batch 2)', { timeout: 600_000 }, async () => {
  await tf.setBackend('cpu');
  const spec = makeSpec('torchvision');
  const params = fixedParams(spec, 5);
  const collect = activationLayers(spec);
  const x = fixedBatch(spec, 2, 6);
  const results = [];
  for (const device of ['cpu', 'webgpu'] as const) {
    const rt = await createOnnxRuntime(spec, params, { device, collect, prepack: false });
    assert.equal(rt.device, device);
    results.push(await rt.run(x, 2));
    await rt.dispose();
  }
  const [cpu, gpu] = results;
  const worst: string[] = [];
  for (const [name, a] of [['probabilities', { data: cpu.probabilities }] as const, ...cpu.activations]) {
    const b = name === 'probabilities' ? gpu.probabilities : gpu.activations.get(name)!.data;
    let m = 0;
    let scale = 0;
    for (let i = 0; i < a.data.length; i++) {
      m = Math.max(m, Math.abs(a.data[i] - b[i]));
      scale = Math.max(scale, Math.abs(a.data[i]));
    }
    assert.ok(m <= 1e-4 * scale, `${name}: WebGPU differs from the CPU by ${m} (scale ${scale})`);
    worst.push(`${name} ${(m / scale).toExponential(1)}`);
  }
  assert.equal(worst.length, collect.length + 1);
});

test('a full-size torchvision training step at batch 2 (SGD, the trainer\'s GPU graph) on WebGPU equals the CPU EP: loss and every updated parameter', { timeout: 900_000 }, async () => {
  const r = await trainStepDiffs(loadOrt() as never, 'torchvision', makeSpec('torchvision'), 'webgpu');
  assert.equal(r.layers.length, 1 + 16, 'the loss and 16 parameters');
  for (const l of r.layers) {
    // relative to the CPU's change of the parameter (measured on lavapipe: <= 1.3e-5)
    assert.ok(l.maxAbsDiff <= 1e-3 * l.scale, `${l.layer}: WebGPU differs from the CPU by ${l.maxAbsDiff} (CPU change ${l.scale})`);
  }
});
