// Device choice (auto: cuda, then a hardware WebGPU adapter, then cpu; each skip says why), the
// session options per device, what this machine's probes say, and the self-test's log parsing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chooseDevice } from '../../../../src/engine/onnx/deviceChoice';
import { ortInfo, probeDevices, sessionOptionsFor, type DeviceId, type OrtInfo } from '../../../../src/engine/onnx/devices';
import { judge, parseCpuPlacements, parseVulkanAdapter, type SelfTestResult } from '../../../../src/engine/onnx/selfTest';

test('sessionOptionsFor names one execution provider per device', () => {
  assert.deepEqual(sessionOptionsFor('cpu').executionProviders, ['cpu']);
  assert.deepEqual(sessionOptionsFor('webgpu').executionProviders, [{ name: 'webgpu' }]);
  assert.deepEqual(sessionOptionsFor('cuda').executionProviders, [{ name: 'cuda', deviceId: 0 }]);
  assert.deepEqual(sessionOptionsFor('directml').executionProviders, [{ name: 'dml', deviceId: 0 }]);
  const o = sessionOptionsFor('cpu', { threads: 2, prepack: false });
  assert.equal(o.intraOpNumThreads, 2);
  assert.deepEqual(o.extra, { session: { disable_prepacking: '1' } });
});

test('this machine: ORT loads with its version and providers; the CUDA hint names the NuGet package of that version and the binding folder', () => {
  const info = ortInfo();
  assert.equal(info.ok, true, info.reason);
  assert.match(info.version!, /^1\.30\./);
  assert.ok(info.backends.some((b) => b.name === 'cpu'));
  const probes = probeDevices(info);
  assert.deepEqual(probes.map((p) => p.id), ['cpu', 'webgpu', 'cuda', 'directml']);
  assert.equal(probes[0].available, true);
  const cuda = probes.find((p) => p.id === 'cuda')!;
  if (!cuda.available) {
    assert.match(cuda.fix ?? '', new RegExp(`Microsoft\\.ML\\.OnnxRuntime\\.Gpu\\.Linux ${info.version!.replace(/\./g, '\\.')}`));
    assert.ok(cuda.fix!.includes(info.binDir!), 'the fix names the folder the libraries go to');
    assert.match(cuda.fix!, /CUDA 12.*cuDNN 9/);
  }
  if (process.platform !== 'win32') assert.equal(probes.find((p) => p.id === 'directml')!.available, false);
});

const info: OrtInfo = { ok: true, version: '1.30.0', backends: [{ name: 'cpu', bundled: true }, { name: 'webgpu', bundled: true }], binDir: '/nowhere' };
const passing = (software: boolean) => async (d: DeviceId): Promise<SelfTestResult> => ({ device: d, ok: true, reason: 'matches', cpuNodes: [], ms: 1, software, adapter: software ? 'llvmpipe (libvulkan_lvp.so)' : 'NVIDIA H100 (libGLX_nvidia.so.0)' });

test('auto: no CUDA provider, no GPU device node -> cpu, and each better device says why it was skipped, without starting a self-test', async () => {
  let ran = 0;
  const r = await chooseDevice('auto', { info, canBeHardware: () => false, selfTest: async (d) => (ran++, passing(true)(d)) });
  assert.equal(r.chosen, 'cpu');
  assert.equal(ran, 0);
  assert.deepEqual(r.skipped.map((s) => s.id), ['cuda', 'webgpu']);
  assert.match(r.skipped[0].reason, /CUDA provider is not installed/);
  assert.match(r.skipped[1].reason, /hardware adapters only/);
});

test('auto picks a hardware WebGPU adapter that passes, skips a software one, and the CPU when the self-test fails', async () => {
  const hw = await chooseDevice('auto', { info, canBeHardware: () => true, selfTest: passing(false) });
  assert.equal(hw.chosen, 'webgpu');
  assert.match(hw.label, /WebGPU \(NVIDIA H100/);
  const sw = await chooseDevice('auto', { info, canBeHardware: () => true, selfTest: passing(true) });
  assert.equal(sw.chosen, 'cpu');
  assert.match(sw.skipped.find((s) => s.id === 'webgpu')!.reason, /only a software adapter answers \(llvmpipe/);
  const bad = await chooseDevice('auto', { info, canBeHardware: () => true, selfTest: async (d) => ({ device: d, ok: false, reason: 'conv2 off by 7.7e-1', cpuNodes: [], ms: 1 }) });
  assert.equal(bad.chosen, 'cpu');
  assert.match(bad.skipped.find((s) => s.id === 'webgpu')!.reason, /self-test failed: conv2 off/);
});

test('an explicit device is used when its self-test passes, software or not; when it fails the engine stays on the CPU and says why', async () => {
  const sw = await chooseDevice('webgpu', { info, selfTest: passing(true) });
  assert.equal(sw.chosen, 'webgpu');
  assert.match(sw.label, /software/);
  const cuda = await chooseDevice('cuda', { info, selfTest: passing(false) });
  assert.equal(cuda.chosen, 'cpu');
  assert.match(cuda.skipped[0].reason, /CUDA provider is not installed/);
  assert.equal((await chooseDevice('cpu', { info })).chosen, 'cpu');
  const noOrt = await chooseDevice('webgpu', { info: { ok: false, backends: [], reason: 'onnxruntime-node cannot be loaded: x' } });
  assert.equal(noOrt.chosen, 'cpu');
  assert.match(noOrt.skipped[0].reason, /cannot be loaded/);
});

// lines as ORT 1.30 and the Vulkan loader print them (from a run on lavapipe)
const LOG = [
  '2026-12-02 14:14:17.575244550 [V:onnxruntime:, session_state.cc:1377 VerifyEachNodeIsAssignedToAnEp] Node placements',
  '2026-12-02 14:14:17.575260580 [V:onnxruntime:, session_state.cc:1383 VerifyEachNodeIsAssignedToAnEp]  Node(s) placed on [CPUExecutionProvider]. Number of nodes: 3',
  '2026-12-02 14:14:17.575268365 [V:onnxruntime:, session_state.cc:1385 VerifyEachNodeIsAssignedToAnEp]   LRN ()',
  '2026-12-02 14:14:17.575268365 [V:onnxruntime:, session_state.cc:1385 VerifyEachNodeIsAssignedToAnEp]   Sum (loss_sum)',
  '2026-12-02 14:14:17.575268365 [V:onnxruntime:, session_state.cc:1385 VerifyEachNodeIsAssignedToAnEp]   Shape ()',
  '2026-12-02 14:14:17.575280137 [V:onnxruntime:, session_state.cc:1383 VerifyEachNodeIsAssignedToAnEp]  Node(s) placed on [WebGpuExecutionProvider]. Number of nodes: 25',
  '2026-12-02 14:14:17.575286058 [V:onnxruntime:, session_state.cc:1385 VerifyEachNodeIsAssignedToAnEp]   Relu ()',
  'DRIVER | LAYER:          Using "llvmpipe (LLVM 15.0.6, 256 bits)" with driver: "libvulkan_lvp.so"',
].join('\n');

test('the self-test reads CPU-placed nodes (shape ops aside) and the adapter from the logs, and fails on either a fallback or a difference', () => {
  assert.deepEqual(parseCpuPlacements(LOG), ['LRN', 'Sum (loss_sum)']);
  assert.deepEqual(parseCpuPlacements(LOG.replace(/Node\(s\) placed on \[CPUExecutionProvider\][^\n]*\n[^\n]*\n[^\n]*\n[^\n]*\n/, '')), []);
  assert.deepEqual(parseVulkanAdapter(LOG), { adapter: 'llvmpipe (LLVM 15.0.6, 256 bits) (libvulkan_lvp.so)', software: true });
  assert.equal(parseVulkanAdapter('Using "NVIDIA H200" with driver: "libGLX_nvidia.so.0"').software, false);
  const layers = [{ net: 'caffe', layer: 'conv2', kind: 'forward' as const, maxAbsDiff: 1e-6, scale: 2 }];
  const fallback = judge('webgpu', { ok: true, layers, createMs: 1, runMs: 1 }, LOG, 5);
  assert.equal(fallback.ok, false);
  assert.match(fallback.reason, /placed 2 node\(s\) on the CPU instead of webgpu: LRN, Sum \(loss_sum\)/);
  const clean = LOG.split('\n').filter((l) => !/CPUExecutionProvider|LRN|Sum|Shape/.test(l)).join('\n');
  assert.equal(judge('webgpu', { ok: true, layers, createMs: 1, runMs: 1 }, clean, 5).ok, true);
  const off = judge('webgpu', { ok: true, layers: [...layers, { net: 'caffe', layer: 'conv4', kind: 'forward' as const, maxAbsDiff: 1.5, scale: 2 }], createMs: 1, runMs: 1 }, clean, 5);
  assert.equal(off.ok, false);
  assert.match(off.reason, /caffe conv4 off by 7\.5e-1/);
  const nan = judge('webgpu', { ok: true, layers: [{ net: 'caffe', layer: 'fc6', kind: 'forward' as const, maxAbsDiff: Infinity, scale: 1 }], createMs: 1, runMs: 1 }, clean, 5);
  assert.equal(nan.ok, false);
});
