// The project view's features and their disk cache: entries round-trip and are keyed by the
// image's identity (a touched file is computed again), a damaged entry counts as missing, a
// second pass over a folder reads everything from the cache with the same numbers, a bad image
// becomes its own error item, Cancel stops between batches, and old model folders are evicted.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, copyFileSync, writeFileSync, readdirSync, utimesSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomNet, useCpu } from '../../../helpers/inspectNet';
import { FIXTURES } from '../../../helpers/paths';
import { decodeEntry, encodeEntry, evictModels, FeatureStore, imageIdentity, modelStoreKey } from '../../../../src/engine/project/featureStore';
import { extractFeatures, tfjsRunner, topOf } from '../../../../src/engine/project/features';

before(useCpu);

function folder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'project-'));
  for (const f of ['rgb.jpg', 'grey.png', 'rgb.webp', 'palette.bmp']) copyFileSync(join(FIXTURES, 'images', f), join(dir, f));
  copyFileSync(join(FIXTURES, 'images', 'not-an-image.jpg'), join(dir, 'broken.jpg'));
  return dir;
}

test('an entry round-trips, and only for the identity it was written for', () => {
  const id = { path: '/a/b.jpg', size: 10, mtimeMs: 123.5 };
  const value = { features: Float32Array.from([1.5, -2, 3]), top: [{ index: 4, probability: 0.5 }], thumbnail: Uint8Array.from({ length: 12 }, (_, i) => i), thumbSize: 2, width: 7, height: 9 };
  const buf = encodeEntry(id, value);
  const back = decodeEntry(buf, id)!;
  assert.deepEqual([...back.features], [1.5, -2, 3]);
  assert.deepEqual([...back.thumbnail], [...value.thumbnail]);
  assert.deepEqual(back.top, value.top);
  assert.equal(back.width, 7);
  assert.equal(decodeEntry(buf, { ...id, mtimeMs: 124 }), undefined, 'another mtime');
  assert.equal(decodeEntry(buf.subarray(0, buf.length - 1), id), undefined, 'truncated');
  assert.equal(decodeEntry(Buffer.from('garbage garbage'), id), undefined, 'not an entry');
});

test('store keys differ by weights and layer', () => {
  const a = modelStoreKey({ variant: 'torchvision', weights: { path: '/w.pth', size: 1, mtimeMs: 1 }, layer: 'relu7', thumbSize: 32 });
  assert.notEqual(a, modelStoreKey({ variant: 'torchvision', weights: { path: '/w.pth', size: 1, mtimeMs: 2 }, layer: 'relu7', thumbSize: 32 }));
  assert.notEqual(a, modelStoreKey({ variant: 'torchvision', weights: { path: '/w.pth', size: 1, mtimeMs: 1 }, layer: 'relu6', thumbSize: 32 }));
  assert.match(a, /^torchvision-relu7-[0-9a-f]{24}$/);
});

test('topOf: best first, at most the number of classes', () => {
  assert.deepEqual(topOf(Float32Array.from([0, 0.1, 0.7, 0.2, 9]), 0, 4, 2).map((t) => t.index), [2, 3]);
  assert.equal(topOf(Float32Array.from([0.5, 0.5]), 0, 2, 5).length, 2);
});

test('extractFeatures: features, top-k and thumbnails; the second pass comes from the cache; a touched file is recomputed', async () => {
  const { spec, params } = randomNet('torchvision');
  const dir = folder();
  const paths = readdirSync(dir).sort().map((f) => join(dir, f));
  const cacheRoot = mkdtempSync(join(tmpdir(), 'project-cache-'));
  const store = () => new FeatureStore(cacheRoot, modelStoreKey({ variant: spec.variant, weights: { random: 7 }, layer: 'relu7', thumbSize: 8 }));
  const runner = tfjsRunner(spec, params);
  const progress: number[] = [];
  const first = await extractFeatures(paths, spec, runner, { store: store(), topK: 3, thumbSize: 8, batchSize: 2, onProgress: (done) => progress.push(done) });
  assert.deepEqual(progress, [2, 4, 5]);
  assert.equal(first.computed, 4);
  assert.equal(first.cached, 0);
  const broken = first.records.find((r) => r.path.endsWith('broken.jpg'))!;
  assert.equal(broken.ok, false);
  assert.ok(!broken.ok && broken.error.length > 0 && broken.code.length > 0);
  const good = first.records.filter((r) => r.ok);
  for (const r of good) {
    assert.ok(r.ok);
    assert.equal(r.features.length, 24, 'relu7 of the reduced net');
    assert.ok(r.features.every((v) => v >= 0), 'after the ReLU');
    assert.equal(r.top.length, 3);
    assert.ok(r.top[0].probability >= r.top[1].probability);
    assert.equal(r.thumbnail.length, 8 * 8 * 3);
    assert.ok(r.width > 0 && r.height > 0);
  }
  // different images, different features
  assert.notDeepEqual([...(good[0] as { features: Float32Array }).features], [...(good[1] as { features: Float32Array }).features]);

  const second = await extractFeatures(paths, spec, runner, { store: store(), topK: 3, thumbSize: 8 });
  assert.equal(second.computed, 0);
  assert.equal(second.cached, 4);
  for (let i = 0; i < paths.length; i++) {
    const a = first.records[i], b = second.records[i];
    assert.equal(a.ok, b.ok);
    if (a.ok && b.ok) {
      assert.deepEqual([...b.features], [...a.features]);
      assert.deepEqual(b.top, a.top);
      assert.ok(b.cached);
    }
  }
  const touched = join(dir, 'rgb.jpg');
  utimesSync(touched, new Date(), new Date(Date.now() + 5000));
  const third = await extractFeatures(paths, spec, runner, { store: store(), topK: 3, thumbSize: 8 });
  assert.equal(third.computed, 1);
  assert.equal(third.cached, 3);
  assert.equal((third.records.find((r) => r.path === touched) as { cached: boolean }).cached, false);
});

test('extractFeatures stops on Cancel between batches, keeping what it computed in the cache', async () => {
  const { spec, params } = randomNet('torchvision');
  const dir = folder();
  const paths = readdirSync(dir).sort().map((f) => join(dir, f));
  const cacheRoot = mkdtempSync(join(tmpdir(), 'project-cache-'));
  const st = new FeatureStore(cacheRoot, 'm');
  const abort = new AbortController();
  await assert.rejects(
    extractFeatures(paths, spec, tfjsRunner(spec, params), { store: st, batchSize: 2, signal: abort.signal, onProgress: (done) => done >= 2 && abort.abort() }),
    /Cancelled/,
  );
  const kept = readdirSync(st.dir).filter((f) => f.endsWith('.bin'));
  // the first batch is broken.jpg (no entry) and grey.png
  assert.equal(kept.length, 1, 'the first batch stays cached');
  assert.ok(await st.get(await imageIdentity(paths[1])));
  assert.equal(await st.get(await imageIdentity(paths[2])), undefined, 'the second batch never ran');
});

test('a missing file is an error item too', async () => {
  const { spec, params } = randomNet('torchvision');
  const r = await extractFeatures(['/no/such/image.jpg'], spec, tfjsRunner(spec, params));
  assert.equal(r.records[0].ok, false);
  assert.match((r.records[0] as { error: string }).error, /no such file/);
});

test('evictModels keeps the most recently used model folders', async () => {
  const root = mkdtempSync(join(tmpdir(), 'project-evict-'));
  ['a', 'b', 'c', 'd'].forEach((name, i) => {
    mkdirSync(join(root, name));
    writeFileSync(join(root, name, 'x.bin'), 'x');
    utimesSync(join(root, name), new Date(), new Date(Date.now() - (10 - i) * 60_000));
  });
  const dropped = await evictModels(root, 2);
  assert.deepEqual(dropped.sort(), ['a', 'b']);
  assert.deepEqual(readdirSync(root).sort(), ['c', 'd']);
});
