// Backend selection (backend/select.ts): order, reasons, thread count, and the same code inside
// an esbuild CJS bundle that has only its own wasm/ folder (no node_modules), as dist/ ships.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as esbuild from 'esbuild';
import * as tf from '@tensorflow/tfjs-core';
import { BACKEND_ORDER, initBackend, probeBackends, type BackendPreference } from '../../../../src/engine/backend/select';

import { REPO_ROOT } from '../../../helpers/paths';

const root = REPO_ROOT;

function installed(pkg: string): boolean {
  try {
    require.resolve(pkg);
    return true;
  } catch {
    return false;
  }
}

test('probeBackends lists every candidate in order without starting any', () => {
  const probes = probeBackends();
  assert.deepEqual(probes.map((p) => p.name), [...BACKEND_ORDER]);
  assert.equal(probes[0].available, installed('@tensorflow/tfjs-node-gpu'));
  assert.equal(probes[1].available, installed('@tensorflow/tfjs-node'));
  assert.equal(probes[2].available, true, probes[2].detail);
  assert.match(probes[2].detail, /SIMD/);
  assert.equal(probes[3].available, true);
  assert.equal(Object.keys(tf.engine().registry).length, 0, 'a backend was started');
});

test('an explicit preference that fails falls down the list and says why; wasm runs 2 threads', async () => {
  const listenersBefore = process.listeners('uncaughtException').length;
  const report = await initBackend('tfjs-node', { threads: 2 });
  if (installed('@tensorflow/tfjs-node')) {
    assert.equal(report.chosen, 'tfjs-node');
    return;
  }
  assert.deepEqual(report.skipped, [{ name: 'tfjs-node', reason: 'not installed' }]);
  assert.equal(report.preference, 'tfjs-node');
  assert.equal(report.chosen, 'wasm');
  assert.equal(report.tfBackend, 'wasm');
  assert.equal(report.kind, 'wasm');
  assert.equal(report.threads, 2, report.notes.join('; '));
  assert.equal(report.simd, true);
  assert.equal(report.label, 'WebAssembly (SIMD, 2 threads)');
  assert.ok(report.wasmDir && readdirSync(report.wasmDir).includes('tfjs-backend-wasm-threaded-simd.wasm'));
  // It computes, and leaves no process-wide listeners behind.
  const y = tf.conv2d(tf.ones([1, 8, 8, 3]) as tf.Tensor4D, tf.ones([3, 3, 3, 2]) as tf.Tensor4D, 1, 'valid');
  assert.deepEqual(Array.from(y.dataSync().slice(0, 2)), [27, 27]);
  y.dispose();
  assert.equal(process.listeners('uncaughtException').length, listenersBefore);
});

test('switching to cpu and back; wasm threads are fixed once started', async () => {
  const cpu = await initBackend('cpu');
  assert.equal(cpu.tfBackend, 'cpu');
  assert.equal(cpu.kind, 'js-cpu');
  assert.deepEqual(cpu.skipped, []);
  const wasm = await initBackend('wasm', { threads: 1 });
  assert.equal(wasm.tfBackend, 'wasm');
  assert.equal(wasm.threads, 2);
  assert.match(wasm.notes.join(' '), /already started with 2 thread/);
});

test('an unknown preference is refused', async () => {
  await assert.rejects(initBackend('webgl' as BackendPreference), /unknown backend 'webgl'/);
});

// ---- inside an esbuild bundle ------------------------------------------------------------

const work = mkdtempSync(join(tmpdir(), 'alexnet-backend-bundle-'));
after(() => rmSync(work, { recursive: true, force: true }));

const ENTRY = `
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { initBackend } from ${JSON.stringify(join(root, 'src/engine/backend/select'))};
import { REPO_ROOT } from '../../../helpers/paths';

async function dw(backend: string): Promise<Float32Array> {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const x = tf.randomUniform([2, 34, 34, 3], -1, 1, 'float32', 1) as tf.Tensor4D;
    const r = tf.randomUniform([2, 7, 7, 4], -1, 1, 'float32', 2);
    const g = tf.grad((w: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(x, w as tf.Tensor4D, 4, 2), r)));
    return g(tf.randomUniform([11, 11, 3, 4], -1, 1, 'float32', 3)).dataSync() as Float32Array;
  });
}

(async () => {
  const report = await initBackend('auto', { threads: 2 });
  let relError: number | undefined;
  if (report.chosen === 'wasm') {
    const got = await dw('wasm');
    await initBackend('cpu');
    const want = await dw('cpu');
    let d = 0, m = 0;
    for (let i = 0; i < want.length; i++) { d = Math.max(d, Math.abs(got[i] - want[i])); m = Math.max(m, Math.abs(want[i])); }
    relError = d / m;
  }
  console.log(JSON.stringify({ report, relError }));
})();
`;

function bundleAndRun(): { report: { chosen: string; threads?: number; label: string; wasmDir?: string; skipped: { name: string; reason: string }[] }; relError?: number } {
  const r = spawnSync(process.execPath, [join(work, 'engine.js')], { cwd: work, encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, `bundle exited ${r.status}: ${r.stderr}`);
  const line = r.stdout.trim().split('\n').filter((l) => l.startsWith('{')).pop();
  assert.ok(line, `no JSON from the bundle: ${r.stdout}\n${r.stderr}`);
  return JSON.parse(line);
}

test('in an esbuild CJS bundle with dist/wasm beside it: 2-thread wasm, and its gradient kernels agree with cpu', async () => {
  writeFileSync(join(work, 'entry.ts'), ENTRY);
  // The same settings as scripts/build.mjs's node bundles.
  await esbuild.build({
    entryPoints: [join(work, 'entry.ts')],
    outfile: join(work, 'engine.js'),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: ['vscode', 'sharp', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu', 'onnxruntime-node'],
    nodePaths: [join(root, 'node_modules')],
    logLevel: 'silent',
  });
  const wasmSrc = dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));
  mkdirSync(join(work, 'wasm'));
  for (const f of readdirSync(wasmSrc)) if (f.endsWith('.wasm')) cpSync(join(wasmSrc, f), join(work, 'wasm', f));

  const { report, relError } = bundleAndRun();
  assert.equal(report.chosen, 'wasm', JSON.stringify(report));
  assert.equal(report.threads, 2, JSON.stringify(report));
  assert.equal(report.wasmDir, join(work, 'wasm'));
  assert.deepEqual(report.skipped.map((s) => s.name), ['tfjs-node-gpu', 'tfjs-node']);
  for (const s of report.skipped) assert.equal(s.reason, 'not installed');
  assert.ok(relError !== undefined && relError < 1e-4, `relative error ${relError}`);
});

test('the bundle without its wasm/ folder falls back to cpu and says why', () => {
  rmSync(join(work, 'wasm'), { recursive: true, force: true });
  const { report } = bundleAndRun();
  assert.equal(report.chosen, 'cpu');
  const wasm = report.skipped.find((s) => s.name === 'wasm');
  assert.match(wasm?.reason ?? '', /\.wasm files were not found/);
});
