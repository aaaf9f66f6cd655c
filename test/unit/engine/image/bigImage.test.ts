// A valid 9999x9999 PNG (generated here): decoded shrunk, so memory follows the network's input
// size, not the photo's. Bounds are loose (the machine is shared); the tensor must stay close to the
// unshrunk, Pillow-exact route's, and images below the shrink threshold must not change at all.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { makeSpec } from '../../../../src/engine/model/spec';
import { preprocessFile } from '../../../../src/engine/image';
import { FIXTURES, REPO_ROOT } from '../../../helpers/paths';

const SIDE = 9999;

/** Preprocesses `path` in a fresh process; its peak RSS (MB), time, and the tensor. */
function measure(path: string, shrink: boolean): { maxRssMb: number; ms: number; data: Float32Array; width: number; height: number } {
  const out = join(mkdtempSync(join(tmpdir(), 'alexnet-big-')), 'tensor.bin');
  const script = `
    const { preprocessFile } = require(${JSON.stringify(join(REPO_ROOT, 'src/engine/image/index.ts'))});
    const { makeSpec } = require(${JSON.stringify(join(REPO_ROOT, 'src/engine/model/spec.ts'))});
    const t0 = performance.now();
    const spec = makeSpec('torchvision');
    preprocessFile(${JSON.stringify(path)}, spec, ${shrink ? '{ shrinkFor: spec.resizeTo }' : '{}'}).then((r) => {
      require('node:fs').writeFileSync(${JSON.stringify(out)}, Buffer.from(r.data.buffer, r.data.byteOffset, r.data.byteLength));
      console.log(JSON.stringify({ ms: performance.now() - t0, maxRssMb: process.resourceUsage().maxRSS / 1024, width: r.image.source.shrunkFrom?.width ?? r.image.width, height: r.image.source.shrunkFrom?.height ?? r.image.height }));
    });`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { encoding: 'utf8', timeout: 240_000 });
  assert.equal(r.status, 0, r.stderr);
  const m = JSON.parse(r.stdout.trim().split('\n').pop()!);
  const bytes = readFileSync(out);
  return { ...m, data: new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4) };
}

test('a 9999x9999 PNG is decoded shrunk: bounded memory, close to the exact route', { timeout: 600_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'alexnet-big-png-'));
  const path = join(dir, 'huge.png');
  // a smooth picture with structure at every scale the network sees (a gradient and a few shapes)
  const small = Buffer.alloc(64 * 64 * 3);
  for (let y = 0; y < 64; y++) for (let x = 0; x < 64; x++) small.set([x * 4, y * 4, ((x ^ y) & 8) * 24], (y * 64 + x) * 3);
  await sharp(small, { raw: { width: 64, height: 64, channels: 3 } }).resize(SIDE, SIDE, { kernel: 'cubic' }).png({ compressionLevel: 1 }).toFile(path);

  const shrunk = measure(path, true);
  const exact = measure(path, false);
  console.log(`# 9999x9999 PNG: shrunk route ${shrunk.ms.toFixed(0)} ms, peak RSS ${shrunk.maxRssMb.toFixed(0)} MB; exact route ${exact.ms.toFixed(0)} ms, peak RSS ${exact.maxRssMb.toFixed(0)} MB (shared machine)`);
  assert.deepEqual([shrunk.width, shrunk.height], [SIDE, SIDE]); // the photo's size is still reported
  assert.ok(shrunk.maxRssMb < 400, `shrunk route peak RSS ${shrunk.maxRssMb} MB`);
  assert.ok(shrunk.maxRssMb < exact.maxRssMb * 0.6, `no memory saved: ${shrunk.maxRssMb} vs ${exact.maxRssMb} MB`);
  let maxDiff = 0;
  let sum = 0;
  for (let i = 0; i < exact.data.length; i++) {
    const d = Math.abs(shrunk.data[i] - exact.data[i]);
    maxDiff = Math.max(maxDiff, d);
    sum += d;
  }
  const mean = sum / exact.data.length;
  console.log(`# shrunk vs exact tensor: max |diff| ${maxDiff.toFixed(4)}, mean ${mean.toExponential(2)} (normalised units; 1/255/0.225 = 0.0174 is one grey level)`);
  assert.ok(mean < 0.0174, `mean difference ${mean} is over one grey level`);
});

test('below the shrink threshold nothing changes: the tensor is identical with and without shrinkFor', async () => {
  const spec = makeSpec('torchvision');
  for (const name of ['rgb.jpg', 'exif-orientation-6.jpg', 'rgba.png']) {
    const a = await preprocessFile(join(FIXTURES, 'images', name), spec);
    const b = await preprocessFile(join(FIXTURES, 'images', name), spec, { shrinkFor: spec.resizeTo });
    assert.deepEqual(b.data, a.data, name);
    assert.equal(b.image.source.shrunkFrom, undefined);
  }
});
