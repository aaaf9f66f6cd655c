// Training on the device the engine chose: the trainer's ONNX Runtime step at batch 2 on the WebGPU EP
// (Mesa's lavapipe here: `scripts/system-packages.sh webgpu`, which CI runs) against the CPU EP, and
// the CPU fallback when the device's training session cannot be created or fails mid-run. A
// channel-reduced torchvision network at the real spatial size keeps the shader compilation short.
//
// Tolerance (WebGPU vs CPU): the GPU graph (mask-based pool gradient, Conv-of-transposes dW) sums
// in other orders than the CPU's, ~1e-6 relative noise per value. Loss: 1e-4 relative. Parameters:
// max |webgpu - cpu| <= 1e-3 x max |cpu after - before| per tensor, the self-test's bound
// (SELF_TEST_TOLERANCE: a wrong kernel is off by 10% of the change or more).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { makeSpec } from '../../../../src/engine/model/spec';
import { resolveTrainConfig } from '../../../../src/engine/train/config';
import { createOrtTrainStep, type OrtBatch, type OrtTrainStep } from '../../../../src/engine/train/ortTrainStep';
import { startTraining } from '../../../../src/engine/train/trainer';
import { TrainRunner } from '../../../../src/engine/onnx/train/runner';
import { fixedBatch, fixedParams } from '../../../../src/engine/onnx/selfTestChild';
import { SELF_TEST_TOLERANCE } from '../../../../src/engine/onnx/selfTest';
import type { HostTensor } from '../../../../src/engine/weights/hostTensor';
import type { RunConfigFile, TrainConfigInput, TrainDeviceRecord } from '../../../../src/protocol/engine/train';
import { makeClassFolders } from '../../../fixtures/train/makeDataset';
import { Engine } from '../../../../src/engine/engine';
import { createHandlers } from '../../../../src/engine/handlers';

const NO_VULKAN = 'no working WebGPU adapter: install Mesa 25 lavapipe with `scripts/system-packages.sh webgpu` (CI does)';
const SMALL = { convChannels: [4, 8, 8, 8, 8] as [number, number, number, number, number], fcUnits: [16, 16] as [number, number] };
const spec = makeSpec('torchvision', { ...SMALL, numClasses: 3 });
const config = resolveTrainConfig({ variant: 'torchvision', mode: 'scratch', preset: 'paper', optimizer: 'sgd', batchSize: 2, lr: 0.01, ...SMALL });
const initial = fixedParams(spec, 3) as Record<string, HostTensor>;
const batch: OrtBatch = { x: fixedBatch(spec, 2, 5), labels: Int32Array.of(0, 2), indices: [0, 1] };
const LRS = [0.01, 0.005];

const copy = (p: Record<string, HostTensor>) => Object.fromEntries(Object.entries(p).map(([k, v]) => [k, { shape: [...v.shape], data: Float32Array.from(v.data) }]));
const record = (id: TrainDeviceRecord['id']): TrainDeviceRecord => ({ id, label: id, preference: id });

/** Two SGD steps (the second with momentum and a new lr); the losses and the parameters after them. */
async function twoSteps(step: OrtTrainStep): Promise<{ losses: number[]; params: Record<string, HostTensor> }> {
  const losses: number[] = [];
  for (let k = 0; k < LRS.length; k++) losses.push((await step.step(batch, LRS[k], 11 + k)).loss);
  return { losses, params: copy(step.params()) };
}

let root: string;
before(async () => {
  await tf.setBackend('cpu');
  root = await makeClassFolders(4, { seed: 5, classes: ['red', 'green'] });
});
after(() => rmSync(root, { recursive: true, force: true }));

test('a training step at batch 2 on the WebGPU EP equals the CPU EP: loss and every updated parameter, over two SGD steps', { timeout: 300_000 }, async () => {
  const gpu = await createOrtTrainStep({ config, spec, trained: copy(initial), device: record('webgpu') });
  const cpu = await createOrtTrainStep({ config, spec, trained: copy(initial), device: record('cpu') });
  try {
    assert.equal(gpu.device.id, 'webgpu', `${NO_VULKAN}: ${gpu.device.reason}`);
    const g = await twoSteps(gpu);
    assert.equal(gpu.device.id, 'webgpu', `the WebGPU session failed in a step (${gpu.device.reason})`);
    assert.match(gpu.label, /\(webgpu\)$/);
    const c = await twoSteps(cpu);
    g.losses.forEach((l, k) => assert.ok(Math.abs(l - c.losses[k]) <= 1e-4 * Math.abs(c.losses[k]), `loss ${k + 1}: WebGPU ${l} vs CPU ${c.losses[k]}`));
    assert.equal(Object.keys(g.params).length, 16, 'every trained parameter is compared');
    for (const [name, w] of Object.entries(c.params)) {
      let diff = 0;
      let change = 0;
      for (let i = 0; i < w.data.length; i++) {
        diff = Math.max(diff, Math.abs(g.params[name].data[i] - w.data[i]));
        change = Math.max(change, Math.abs(w.data[i] - initial[name].data[i]));
      }
      assert.ok(change > 0, `${name}: the CPU step changed it`);
      assert.ok(diff <= SELF_TEST_TOLERANCE * change, `${name}: WebGPU differs from the CPU by ${diff} (CPU change ${change})`);
    }
  } finally {
    await gpu.dispose();
    await cpu.dispose();
  }
});

test('a device whose training session cannot be created (CUDA, not installed here): the CPU runs the steps, logged, and the record says why', async () => {
  const logs: string[] = [];
  const fell = await createOrtTrainStep({ config, spec, trained: copy(initial), device: { id: 'cuda', label: 'CUDA', preference: 'cuda' }, log: (m) => logs.push(m) });
  const cpu = await createOrtTrainStep({ config, spec, trained: copy(initial) });
  try {
    assert.equal(fell.device.id, 'cpu');
    assert.equal(fell.device.preference, 'cuda');
    assert.match(fell.device.reason ?? '', /^the CUDA training session could not be created: /);
    assert.ok(logs.some((m) => /CUDA training session could not be created: .+; training runs on the CPU$/.test(m)), logs.join('\n'));
    assert.equal(cpu.device.id, 'cpu');
    // the same CPU graph from the same start: the same numbers
    assert.deepEqual((await twoSteps(fell)).losses, (await twoSteps(cpu)).losses);
  } finally {
    await fell.dispose();
    await cpu.dispose();
  }
});

test('a device session that fails mid-run: the CPU takes over from the last finished step, nothing lost (same losses and weights as a CPU run)', async () => {
  let gpuSteps = 0;
  const changes: TrainDeviceRecord[] = [];
  const logs: string[] = [];
  const flaky = await createOrtTrainStep({
    config, spec, trained: copy(initial), device: { id: 'webgpu', label: 'WebGPU (stand-in)', preference: 'webgpu' },
    log: (m) => logs.push(m),
    onDeviceChange: (d) => changes.push(d),
    // a stand-in "GPU" runner (the CPU EP) whose second step fails, as a lost device would
    createRunner: async (o, p, s) => {
      const r = await TrainRunner.create({ ...o, device: 'cpu' }, p, s);
      if (o.device === 'cpu') return r;
      const real = r.steps.bind(r);
      r.steps = async (b) => {
        if (++gpuSteps === 2) throw new Error('device lost\nsecond line');
        return real(b);
      };
      return r;
    },
  });
  const cpu = await createOrtTrainStep({ config, spec, trained: copy(initial) });
  try {
    assert.equal(flaky.device.id, 'webgpu');
    const f = await twoSteps(flaky);
    const c = await twoSteps(cpu);
    assert.equal(gpuSteps, 2);
    assert.equal(flaky.device.id, 'cpu');
    assert.equal(flaky.device.reason, 'the WebGPU training session failed in a step: device lost');
    assert.deepEqual(changes.map((d) => d.id), ['cpu']);
    assert.ok(logs.some((m) => /training goes on on the CPU from the last finished step/.test(m)), logs.join('\n'));
    assert.deepEqual(f.losses, c.losses);
    for (const [name, w] of Object.entries(c.params)) assert.deepEqual(f.params[name].data, w.data, name);
    assert.equal(flaky.optimizerState().steps, 2);
  } finally {
    await flaky.dispose();
    await cpu.dispose();
  }
});

test('the train request waits for the engine\'s device choice and trains there: CUDA asked for where it is not installed, the CPU and why', async () => {
  const engine = new Engine({ device: 'cuda' });
  const messages: string[] = [];
  const ctx = { signal: new AbortController().signal, emit: () => undefined, progress: (_d: number, _t?: number, m?: string) => void (m && messages.push(m)) };
  const input: TrainConfigInput = { variant: 'torchvision', mode: 'scratch', preset: 'paper', optimizer: 'sgd', epochs: 1, batchSize: 4, lr: 0.01, seed: 3, valFraction: 0.25, ...SMALL, augment: { crop: true, flip: true, pca: false } };
  const r = await createHandlers(engine).train({ folder: root, runsRoot: join(root, '.runs-handler'), config: input }, ctx);
  assert.equal(engine.deviceReport?.chosen, 'cpu');
  assert.equal(r.device?.id, 'cpu');
  assert.equal(r.device?.preference, 'cuda');
  assert.ok(r.device?.notUsed?.some((l) => /^CUDA not used: ORT's CUDA provider is not installed/.test(l)), JSON.stringify(r.device));
  assert.ok(messages.includes('Testing CUDA before training'), messages.join('\n'));
});

test('the trainer records the device in config.json and the result: the engine\'s choice, or the CPU and why', async () => {
  const input: TrainConfigInput = { variant: 'torchvision', mode: 'scratch', preset: 'paper', optimizer: 'sgd', epochs: 1, batchSize: 4, lr: 0.01, seed: 3, valFraction: 0.25, ...SMALL, augment: { crop: true, flip: true, pca: false } };
  const logs: string[] = [];
  const skipped = [{ id: 'webgpu' as const, reason: 'no GPU device node' }];
  const r = await startTraining(root, join(root, '.runs'), input, { log: (m) => logs.push(m), device: { preference: 'auto', chosen: 'cuda', label: 'CUDA', skipped } });
  const file = JSON.parse(readFileSync(join(r.runDir, 'config.json'), 'utf8')) as RunConfigFile;
  assert.equal(file.device?.id, 'cpu');
  assert.equal(file.device?.preference, 'auto');
  assert.match(file.device?.reason ?? '', /CUDA training session could not be created/);
  assert.deepEqual(file.device?.notUsed, ['WebGPU not used: no GPU device node']);
  assert.deepEqual(r.device, file.device);
  assert.ok(logs.some((m) => /^training steps run on onnxruntime-node 1\.30\.\d+ \(CPU\)$/.test(m)), logs.join('\n'));
  const plain = await startTraining(root, join(root, '.runs'), input);
  assert.deepEqual(plain.device, { id: 'cpu', label: 'CPU', preference: 'cpu' });
});
