// The engine as an instance: each Engine keeps its own backend, model and options, and the
// handlers answer for the engine they were made with (server.ts makes one per process).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine, engineOptionsFromEnv } from '../../../src/engine/engine';
import { createHandlers } from '../../../src/engine/handlers';
import type { RequestContext } from '../../../src/engine/handlers/context';
import { EngineFailure } from '../../../src/engine/failures';
import { REPO_ROOT } from '../../helpers/paths';

const ctx = (): RequestContext => ({ signal: new AbortController().signal, emit: () => {}, progress: () => {} });

test('engineOptionsFromEnv reads ALEXNET_INFERENCE and ALEXNET_ONNX_CACHE_DIR as the engine process did', () => {
  assert.deepEqual(engineOptionsFromEnv({}), { inferenceRuntime: 'auto', onnxCacheDir: undefined });
  assert.deepEqual(engineOptionsFromEnv({ ALEXNET_INFERENCE: 'tfjs', ALEXNET_ONNX_CACHE_DIR: '/c' }), { inferenceRuntime: 'tfjs', onnxCacheDir: '/c' });
  assert.equal(engineOptionsFromEnv({ ALEXNET_ONNX_CACHE_DIR: 'off' }).onnxCacheDir, undefined);
  assert.equal(new Engine().inferenceRuntime, 'auto', 'a bare engine reads no environment');
});

test('handlers answer for their own engine; a second engine is not the first', { timeout: 120_000 }, async () => {
  // ImageNet labels from our own data folder, so the model's class names show which one it read.
  const dataDir = mkdtempSync(join(tmpdir(), 'alexnet-engine-'));
  try {
    const labels = JSON.parse(readFileSync(join(REPO_ROOT, 'weights/imagenet_classes.json'), 'utf8')) as { name: string }[];
    labels[0] = { ...labels[0], name: 'our tench' };
    writeFileSync(join(dataDir, 'imagenet_classes.json'), JSON.stringify(labels));
    const a = new Engine({ dataDir, inferenceRuntime: 'tfjs' });
    const b = new Engine();
    const ha = createHandlers(a);
    const hb = createHandlers(b);
    await ha.init({ backend: 'cpu' }, ctx());
    const model = await ha.loadModel({ variant: 'torchvision', weights: { kind: 'random', seed: 1 } }, ctx());
    assert.equal(model.classNames[0], 'our tench', 'the labels come from the engine\'s dataDir');
    assert.equal((await ha.status({}, ctx())).model?.weightsLabel, model.weightsLabel);
    await assert.rejects(hb.status({}, ctx()), (e: unknown) => e instanceof EngineFailure && e.code === 'no-backend');
    assert.equal(b.model, undefined);
    a.disposeModel();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
