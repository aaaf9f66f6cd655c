// `--device` on the command line: doctor --json lists every device (id, available, reason) and the
// one in use, classify on an explicit device answers from it (or says why not), a bad value is refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../helpers/paths';

const CLI = join(REPO_ROOT, 'dist/cli.js');

function cli(args: string[]) {
  assert.ok(existsSync(CLI), 'dist/cli.js is missing: run `npm run build` first');
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 600_000, maxBuffer: 64 * 2 ** 20, env: { ...process.env, ALEXNET_ONNX_CACHE_DIR: 'off' } });
  assert.equal(r.signal, null, `killed by ${r.signal}: ${r.stderr}`);
  return r;
}

test('doctor --json --device cpu: ORT version and providers, a devices array with id, available and reason, cpu in use', { timeout: 600_000 }, () => {
  const r = cli(['doctor', '--json', '--device', 'cpu']);
  assert.equal(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout) as { ort: { ok: boolean; version: string; backends: { name: string }[] }; devices: { id: string; available: boolean; reason: string; chosen: boolean }[]; device: { chosen: string; preference: string } };
  assert.equal(report.ort.ok, true);
  assert.match(report.ort.version, /^1\.30\./);
  assert.deepEqual(report.devices.map((d) => d.id), ['cpu', 'webgpu', 'cuda', 'directml']);
  for (const d of report.devices) {
    assert.equal(typeof d.available, 'boolean');
    assert.ok(d.reason.length > 5, `${d.id}: a reason`);
  }
  assert.equal(report.device.preference, 'cpu');
  assert.equal(report.devices.find((d) => d.chosen)!.id, 'cpu');
});

test('classify --device webgpu on this machine\'s adapter: the answer comes from ONNX Runtime on WebGPU; a bad --device is refused', { timeout: 600_000 }, () => {
  const r = cli(['classify', join(REPO_ROOT, 'test/fixtures/images/rgb.jpg'), '--random', '--json', '--device', 'webgpu', '--topk', '1']);
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { inference: string; device: { chosen: string; skipped: { reason: string }[] } };
  assert.equal(out.device.chosen, 'webgpu', `fell back: ${JSON.stringify(out.device.skipped)} (install lavapipe: scripts/system-packages.sh webgpu)`);
  assert.match(out.inference, /ONNX Runtime \(WebGPU/);
  const bad = cli(['classify', 'x.jpg', '--random', '--device', 'tpu']);
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, /--device must be one of auto, cpu, webgpu, cuda, directml, got 'tpu'/);
});
