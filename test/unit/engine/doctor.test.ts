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

test('the report matches what this machine has', async () => {
  const report = await runDoctor(wasmReport, '/opt/ext');
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
  assert.match(report.summary, /No GPU backend in use: the engine runs on WebAssembly/);
  assert.match(formatDoctor(report), /\[missing\] @tensorflow\/tfjs-node-gpu: not installed/);
});
