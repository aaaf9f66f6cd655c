// The .vsix carries ONNX Runtime for its target: the native binding and libonnxruntime of this
// platform, and the packaged copy loads and runs a session on its own (no repository node_modules).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ZipReader } from '../../../src/engine/weights/zip';

const root = join(__dirname, '../../..');

test('the .vsix holds onnxruntime-node with its binary for the target, and that copy loads', { timeout: 300_000 }, () => {
  const tmp = mkdtempSync(join(tmpdir(), 'alexnet-vsix-test-'));
  try {
    // a development build, so dist/ stays what the other tests expect
    execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'pipe' });
    const vsix = join(tmp, 'test.vsix');
    execFileSync(process.execPath, ['scripts/package.mjs', '--no-build', '--out', vsix], { cwd: root, stdio: 'pipe' });
    const zip = new ZipReader(readFileSync(vsix));
    const names = [...zip.entries.keys()];
    const binDir = `extension/node_modules/onnxruntime-node/bin/napi-v6/${process.platform}/${process.arch}/`;
    const binaries = names.filter((n) => n.startsWith(binDir));
    const lib = process.platform === 'win32' ? 'onnxruntime.dll' : process.platform === 'darwin' ? 'libonnxruntime.1.30.0.dylib' : 'libonnxruntime.so.1';
    for (const file of ['onnxruntime_binding.node', lib]) {
      const entry = `${binDir}${file}`;
      assert.ok(binaries.includes(entry), `${entry} is missing from the .vsix (it has ${binaries.join(', ') || 'no ORT binaries'})`);
      const original = statSync(join(root, 'node_modules/onnxruntime-node/bin/napi-v6', process.platform, process.arch, file)).size;
      assert.equal(zip.entries.get(entry)!.size, original, `${file}: the packaged copy differs in size from node_modules'`);
    }
    const otherTargets = names.filter((n) => n.includes('/onnxruntime-node/bin/') && !n.startsWith(binDir));
    assert.deepEqual(otherTargets, [], 'only this target\'s ORT binaries are packaged');
    assert.ok(names.includes('extension/node_modules/onnxruntime-common/package.json'), 'onnxruntime-common is packaged');

    // Unpack the ORT parts and load them from there: the packaged copy works without node_modules.
    const unpacked = join(tmp, 'x');
    for (const n of names.filter((n) => /^extension\/node_modules\/onnxruntime-(node|common)\//.test(n))) {
      const to = join(unpacked, n);
      mkdirSync(dirname(to), { recursive: true });
      writeFileSync(to, zip.read(n));
    }
    const script = "const ort = require('onnxruntime-node'); console.log(JSON.stringify({ version: ort.env.versions.node, eps: ort.listSupportedBackends().map((b) => b.name) }))";
    const out = execFileSync(process.execPath, ['-e', script], { cwd: join(unpacked, 'extension'), encoding: 'utf8' });
    const loaded = JSON.parse(out.trim().split('\n').pop()!) as { version: string; eps: string[] };
    assert.equal(loaded.version, JSON.parse(readFileSync(join(root, 'node_modules/onnxruntime-node/package.json'), 'utf8')).version);
    assert.ok(loaded.eps.includes('cpu'), `the packaged ORT lists the CPU EP: ${loaded.eps.join(', ')}`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
