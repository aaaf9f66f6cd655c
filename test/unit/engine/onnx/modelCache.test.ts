// The disk cache of built ONNX models: a hit answers exactly what a fresh build answers, broken
// entries are detected and rebuilt, the key follows the weights file, and old entries are evicted.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, mkdtempSync, readdirSync, statSync, truncateSync, openSync, writeSync, closeSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { makeSpec, paramShapes, type ModelSpec } from '../../../../src/engine/model/spec';
import {
  createOnnxRuntime,
  evictOnnxCache,
  onnxCacheKey,
  openCachedOnnxRuntime,
  readCachedModel,
  weightsFileIdentity,
  type HostParam,
  type OnnxRuntime,
} from '../../../../src/engine/onnx';
import { saveSafetensors } from '../../../../src/engine/weights/safetensors';
import { Engine } from '../../../../src/engine/engine';
import { randomHostParams } from '../../../helpers/randomHostParams';
import { FIXTURES } from '../../../helpers/paths';


before(async () => {
  await tf.setBackend('cpu');
});

// small enough to be quick, big enough that conv and dense weights go to the .weights file (>= 4 KiB)
const spec: ModelSpec = makeSpec('torchvision', { convChannels: [8, 12, 16, 12, 8], fcUnits: [24, 20], numClasses: 10 });
const collect = ['conv1', 'pool5', 'fc6'];

const randomParams = (seed: number) => randomHostParams(spec, seed);

const input = (n: number) => tf.tidy(() => tf.randomNormal([n, spec.inputSize, spec.inputSize, 3], 0, 1, 'float32', 5).dataSync() as Float32Array);

async function outputs(rt: OnnxRuntime): Promise<Record<string, number[]>> {
  const r = await rt.run(input(2), 2, { collect });
  const o: Record<string, number[]> = { probabilities: [...r.probabilities], logits: [...r.logits] };
  for (const [k, v] of r.activations) o[k] = [...v.data];
  return o;
}

const tmp = () => mkdtempSync(join(tmpdir(), 'onnx-cache-test-'));
const entryFiles = (dir: string, key: string) => readdirSync(dir).filter((n) => n.startsWith(`${key}.`)).sort();

test('a cache hit answers exactly what a fresh in-memory build answers', { timeout: 60_000 }, async () => {
  const dir = tmp();
  const params = randomParams(1);
  const cache = { dir, key: 'k1' };
  const fresh = await createOnnxRuntime(spec, params, { threads: 1, collect });
  const written = await createOnnxRuntime(spec, params, { threads: 1, collect, cache });
  assert.equal(fresh.source, 'built');
  assert.equal(written.source, 'built+cached');
  assert.deepEqual(entryFiles(dir, 'k1'), ['k1.json', 'k1.onnx', 'k1.weights']);
  // the graph file holds no weights: they are external data
  assert.ok(statSync(join(dir, 'k1.onnx')).size < 20_000, `k1.onnx is ${statSync(join(dir, 'k1.onnx')).size} bytes`);
  const hit = await createOnnxRuntime(spec, params, { threads: 1, collect, cache });
  assert.equal(hit.source, 'cache');
  const alone = await openCachedOnnxRuntime(cache, { threads: 1, prepack: false });
  assert.ok(alone, 'the entry opens without weights');
  assert.deepEqual(alone.spec, spec);
  assert.deepEqual([...alone.collectable].sort(), [...fresh.collectable].sort());
  const expected = await outputs(fresh);
  assert.deepEqual(await outputs(written), expected);
  assert.deepEqual(await outputs(hit), expected);
  const a = await outputs(alone);
  for (const k of Object.keys(expected)) {
    // without pre-packing ORT may sum in another order: equal to float rounding
    const worst = Math.max(...a[k].map((v, i) => Math.abs(v - expected[k][i])));
    assert.ok(worst < 1e-5, `${k}: ${worst}`);
  }
  await Promise.all([fresh, written, hit, alone].map((r) => r.dispose()));
});

test('a truncated or corrupt entry is detected, removed and rebuilt', { timeout: 60_000 }, async () => {
  const dir = tmp();
  const params = randomParams(2);
  const cache = { dir, key: 'k2' };
  const expected = await outputs(await createOnnxRuntime(spec, params, { threads: 1, collect, cache }));
  const weights = join(dir, 'k2.weights');
  const onnx = join(dir, 'k2.onnx');
  const damage: [string, () => void][] = [
    ['truncated weights', () => truncateSync(weights, statSync(weights).size - 1000)],
    ['weights trailer overwritten', () => overwrite(weights, statSync(weights).size - 10, Buffer.from('garbage!'))],
    ['onnx header overwritten', () => overwrite(onnx, 0, Buffer.from([0xff, 0xff]))],
    ['truncated onnx', () => truncateSync(onnx, 100)],
    ['manifest not JSON', () => writeFileSync(join(dir, 'k2.json'), '{"format":')],
  ];
  for (const [what, harm] of damage) {
    harm();
    assert.equal(await readCachedModel(dir, 'k2'), undefined, `${what}: the entry was trusted`);
    assert.deepEqual(entryFiles(dir, 'k2'), [], `${what}: the broken entry was not removed`);
    const rebuilt = await createOnnxRuntime(spec, params, { threads: 1, collect, cache });
    assert.equal(rebuilt.source, 'built+cached', what);
    assert.deepEqual(await outputs(rebuilt), expected, what);
    await rebuilt.dispose();
  }
  // same size, damaged inside the graph: only ORT can tell, and then the entry is dropped
  const size = statSync(onnx).size;
  overwrite(onnx, 2, Buffer.alloc(size - 2)); // tag 0 is no protobuf field
  assert.equal(await openCachedOnnxRuntime(cache, { threads: 1 }), undefined);
  assert.deepEqual(entryFiles(dir, 'k2'), []);
});

function overwrite(path: string, position: number, bytes: Buffer): void {
  const fd = openSync(path, 'r+');
  writeSync(fd, bytes, 0, bytes.length, position);
  closeSync(fd);
}

test('the key changes with the weights file, the variant and the collected layers', async () => {
  const dir = tmp();
  const file = join(dir, 'w.safetensors');
  writeFileSync(file, Buffer.alloc(1000, 1));
  const id1 = await weightsFileIdentity(file);
  const key = (weights = id1, variant = 'torchvision', c = collect) => onnxCacheKey({ weights, variant, collect: c });
  assert.equal(key(), key(await weightsFileIdentity(file)), 'same file, same key');
  assert.equal(key(id1, 'torchvision', [...collect].reverse()), key(), 'collect order does not matter');
  assert.notEqual(key(id1, 'paper'), key());
  assert.notEqual(key(id1, 'torchvision', ['conv1']), key());
  // rewritten with the same size: the mtime tells
  writeFileSync(file, Buffer.alloc(1000, 2));
  utimesSync(file, new Date(), new Date(Date.now() + 5000));
  assert.notEqual(key(await weightsFileIdentity(file)), key());
  writeFileSync(file, Buffer.alloc(1001, 2));
  assert.notEqual(key(await weightsFileIdentity(file)), key());
  assert.notEqual(key({ sha256: 'a'.repeat(64) }), key({ sha256: 'b'.repeat(64) }));
  assert.match(key(), /^torchvision-[0-9a-f]{32}$/);
});

test('eviction keeps the most recently used entries', { timeout: 60_000 }, async () => {
  const dir = tmp();
  const params = randomParams(3);
  const t0 = Date.now() / 1000;
  for (const [i, k] of ['a', 'b', 'c'].entries()) {
    await (await createOnnxRuntime(spec, params, { collect, cache: { dir, key: k } })).dispose();
    utimesSync(join(dir, `${k}.json`), t0 - 100 + i, t0 - 100 + i); // a oldest, c newest
  }
  // a hit makes 'a' the newest, so adding 'd' evicts 'b'
  assert.ok(await readCachedModel(dir, 'a'));
  await (await createOnnxRuntime(spec, params, { collect, cache: { dir, key: 'd', keep: 3 } })).dispose();
  const keys = [...new Set(readdirSync(dir).map((n) => n.split('.')[0]))].sort();
  assert.deepEqual(keys, ['a', 'c', 'd']);
  // a leftover temporary file of a crashed write goes once it is old
  const stale = join(dir, 'x.weights.tmp-1-1');
  writeFileSync(stale, 'partial');
  utimesSync(stale, t0 - 3600, t0 - 3600);
  // newest first: d (just written), a (hit), c
  assert.deepEqual(await evictOnnxCache(dir, 1), ['a', 'c']);
  assert.deepEqual(readdirSync(dir).sort(), ['d.json', 'd.onnx', 'd.weights']);
});

/** A full-size torchvision weights file (the engine loads only full-width variants), cheap pseudo-random values. */
async function fullSizeWeights(path: string): Promise<void> {
  const full = makeSpec('torchvision', { numClasses: 10 });
  const params: Record<string, HostParam> = {};
  let x = 12345;
  for (const p of paramShapes(full)) {
    const data = new Float32Array(p.shape.reduce((a, b) => a * b, 1));
    const fanIn = p.shape.length === 4 ? p.shape[0] * p.shape[1] * p.shape[2] : p.shape[0];
    const scale = p.shape.length === 1 ? 0.1 : Math.sqrt(6 / fanIn);
    for (let i = 0; i < data.length; i++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      data[i] = (x / 2 ** 32 - 0.5) * 2 * scale;
    }
    params[p.name] = { shape: p.shape, data };
  }
  await saveSafetensors(path, params);
}

test('the engine builds and caches the session from a weights file, and a second engine loads it from the cache', { timeout: 180_000 }, async () => {
  const dir = tmp();
  const file = join(dir, 'tv10.safetensors');
  await fullSizeWeights(file);
  const img = join(FIXTURES, 'images', 'rgb.jpg');
  const results: { source?: string; probs: number[] }[] = [];
  for (let i = 0; i < 2; i++) {
    const engine = new Engine();
    engine.onnxCacheDir = join(dir, 'cache');
    await engine.init('auto');
    await engine.loadModel('torchvision', { kind: 'file', path: file });
    const [item] = await engine.classifyFiles([img], { topK: 10 });
    assert.ok(item.ok);
    assert.match(engine.inferenceLabel(), /ONNX Runtime/, 'the first classify waits for ONNX Runtime');
    results.push({ source: engine.model?.onnx?.source, probs: item.predictions.map((p) => p.probability) });
    engine.disposeModel();
  }
  assert.equal(results[0].source, 'built+cached');
  assert.equal(results[1].source, 'cache');
  const worst = Math.max(...results[0].probs.map((p, i) => Math.abs(p - results[1].probs[i])));
  assert.ok(worst < 1e-6, `probabilities differ by ${worst}`);
  rmSync(dir, { recursive: true, force: true });
});
