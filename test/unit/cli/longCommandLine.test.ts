// A shell glob over a big folder: 5,000 image paths in one `alexnet classify` call (~290 KB of
// arguments). ONNX Runtime's telemetry used to run std::regex over /proc/self/cmdline when its
// environment was created, overflowing the main thread's stack past ~650 paths (SIGSEGV, no output).
// Most paths here are a non-image (fast to reject) so the test is about the command line, not speed;
// every 500th is a real photo that goes through ORT.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../../helpers/paths';

const CLI = join(REPO_ROOT, 'dist/cli.js');
const img = (name: string) => join(REPO_ROOT, 'test/fixtures/images', name);

test('classify with 5,000 paths of 50-character names in one call', { timeout: 600_000 }, () => {
  assert.ok(existsSync(CLI), 'dist/cli.js is missing: run `npm run build` first');
  const dir = mkdtempSync(join(tmpdir(), 'alexnet-argv-'));
  copyFileSync(img('rgb.jpg'), join(dir, 'photo.jpg'));
  copyFileSync(img('not-an-image.jpg'), join(dir, 'text.jpg'));
  const names: string[] = [];
  for (let i = 0; i < 5000; i++) {
    const name = `photo-${String(i).padStart(6, '0')}-`.padEnd(46, 'n') + '.jpg'; // 50 characters
    symlinkSync(i % 500 === 0 ? 'photo.jpg' : 'text.jpg', join(dir, name));
    names.push(name);
  }
  assert.equal(names[0].length, 50);
  // Relative paths from the folder, as `alexnet classify *.jpg` passes them; onnxruntime-node loaded (auto backend).
  const r = spawnSync(process.execPath, [CLI, 'classify', ...names, '--random', '--json', '--topk', '1'], {
    cwd: dir,
    encoding: 'utf8',
    maxBuffer: 256 * 2 ** 20,
    timeout: 540_000,
    env: { ...process.env, ALEXNET_ONNX_CACHE_DIR: 'off' },
  });
  assert.equal(r.signal, null, `killed by ${r.signal}; stderr: ${r.stderr.slice(-2000)}`);
  assert.equal(r.status, 3, r.stderr.slice(-2000)); // 3: some images could not be read
  const out = JSON.parse(r.stdout) as { inference: string; items: { ok: boolean; path: string; code?: string }[] };
  assert.equal(out.items.length, 5000);
  assert.equal(out.items.filter((i) => i.ok).length, 10);
  assert.ok(out.items.every((i, n) => i.ok === (n % 500 === 0) && (i.ok || i.code === 'not-an-image')));
  assert.match(out.inference, /ONNX Runtime|WebAssembly|tfjs/);
});
