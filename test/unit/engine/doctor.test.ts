import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { canLoadLibrary, formatDoctor, runDoctor } from '../../../src/engine/doctor';
import type { BackendReport } from '../../../src/engine/backend/select';

const wasmReport: BackendReport = {
  preference: 'auto',
  chosen: 'wasm',
  tfBackend: 'wasm',
  kind: 'wasm',
  label: 'WebAssembly (SIMD, 2 threads)',
  skipped: [
    { name: 'tfjs-node-gpu', reason: 'not installed' },
    { name: 'tfjs-node', reason: 'not installed' },
  ],
  notes: [],
};

test('canLoadLibrary tells a loadable shared library from a missing one', () => {
  assert.equal(canLoadLibrary('libc.so.6').ok, true);
  const missing = canLoadLibrary('libalexnet-does-not-exist.so.1');
  assert.equal(missing.ok, false);
  assert.match(missing.detail, /cannot open shared object file|No such file/);
});

test('the report matches what this machine has', { timeout: 180_000 }, async () => {
  const report = await runDoctor(wasmReport, '/opt/ext');
  // ONNX Runtime first: its version and providers, then every device with a reason
  assert.equal(report.checks[0].name, 'ONNX Runtime (onnxruntime-node)');
  assert.equal(report.checks[0].status, 'ok');
  assert.match(report.checks[0].found, /^1\.30\.0; execution providers: cpu, webgpu/);
  assert.deepEqual(report.devices.map((d) => d.id), ['cpu', 'webgpu', 'cuda', 'directml']);
  for (const d of report.devices) assert.ok(d.reason.length > 0 && typeof d.available === 'boolean', `${d.id} has available and a reason`);
  assert.equal(report.devices.find((d) => d.chosen)!.id, report.device.chosen);
  const check = (name: string) => report.checks.find((c) => c.name === name)!;
  let hasSmi = true;
  try {
    execFileSync('nvidia-smi', ['-L'], { stdio: 'ignore' });
  } catch {
    hasSmi = false;
  }
  assert.equal(check('NVIDIA driver (nvidia-smi)').status, hasSmi ? 'ok' : 'missing');
  assert.equal(check('CUDA 11 runtime (libcudart.so.11.0)').status, canLoadLibrary('libcudart.so.11.0').ok ? 'ok' : 'missing');
  for (const pkg of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
    const c = check(pkg);
    assert.equal(c.status, 'missing');
    assert.match(c.fix!, new RegExp(`npm install ${pkg.replace('/', '\\/')}@4\\.22\\.0`));
    assert.match(c.fix!, /In \/opt\/ext/);
    assert.match(c.fix!, /HTTPS_PROXY|TFJS_NODE_CDN_STORAGE/);
  }
  assert.match(check('CUDA 11 runtime (libcudart.so.11.0)').fix ?? 'CUDA 11.2', /CUDA 11\.2.*cuDNN 8\.1/);
  if (report.device.chosen === 'cpu') assert.match(report.summary, /^No GPU in use: ONNX Runtime computes on the CPU\. What each GPU route needs is listed below\./);
  const text = formatDoctor(report);
  assert.ok(text.startsWith(report.summary), 'the summary comes first, so "below" is true');
  assert.match(text, /\[missing\] @tensorflow\/tfjs-node-gpu: not installed/);
});
