// Project view request handlers: a folder's features (engine/project/features.ts, cached on disk)
// with the PCA layout at once, then UMAP on request (engine/project/layout.ts). The features of
// the last few folders stay in memory under a token, so the layout needs no second pass.
import { randomUUID } from 'node:crypto';
import type { Handler } from './context';
import { EngineFailure, throwIfCancelled, yieldToEventLoop } from './context';
import type { ProjectLayoutEvent, ProjectRequests } from '../../protocol/engine/project';
import type { Engine } from '../engine';
import { weightsFileIdentity } from '../onnx';
import { extractFeatures, FEATURE_LAYER, onnxRunner, tfjsRunner, DEFAULT_THUMB_SIZE, type FeatureRunner } from '../project/features';
import { FeatureStore, modelStoreKey } from '../project/featureStore';
import { normaliseLayout, pcaLayout, umapLayout } from '../project/layout';

type ProjectHandlers = { [M in keyof ProjectRequests]: Handler<M> };

interface KeptFeatures {
  features: Float32Array;
  n: number;
  d: number;
}
/** folders whose features are kept for projectLayout (each 5,000 x 4096 floats = 80 MB at most) */
const KEEP_PROJECTS = 2;

function runnerFor(engine: Engine): FeatureRunner {
  const model = engine.requireModel();
  const onnx = engine.inferenceRuntime === 'auto' ? model.onnx : undefined;
  if (onnx?.collectable.includes(FEATURE_LAYER)) return onnxRunner(onnx);
  return tfjsRunner(model.spec, model.params);
}

async function storeFor(engine: Engine, cacheDir: string | undefined, thumbSize: number): Promise<FeatureStore | undefined> {
  if (!cacheDir) return undefined;
  const { status } = engine.requireModel();
  const weights = status.weights.kind === 'file' ? await weightsFileIdentity(status.weights.path).catch(() => undefined) : { random: status.weights.seed ?? 42 };
  if (!weights) return undefined;
  return new FeatureStore(cacheDir, modelStoreKey({ variant: status.variant, weights, layer: FEATURE_LAYER, thumbSize }));
}

export function createProjectHandlers(engine: Engine): ProjectHandlers {
  const kept = new Map<string, KeptFeatures>();
  const keep = (token: string, value: KeptFeatures) => {
    kept.set(token, value);
    while (kept.size > KEEP_PROJECTS) kept.delete(kept.keys().next().value as string);
  };
  return {
  async projectFeatures({ paths, cacheDir, topK, thumbSize }, ctx) {
    const t0 = performance.now();
    const model = engine.requireModel();
    if (!Array.isArray(paths) || !paths.length) throw new EngineFailure('No images to project', 'bad-input');
    const size = thumbSize ?? DEFAULT_THUMB_SIZE;
    // the ONNX session, once it is ready, is several times faster than tfjs here
    await engine.onnxReady();
    const runner = runnerFor(engine);
    const store = await storeFor(engine, cacheDir, size);
    const { records, computed, cached } = await extractFeatures(paths, model.spec, runner, {
      store,
      topK,
      thumbSize: size,
      signal: ctx.signal,
      onProgress: (done, total, c, h) => ctx.progress(done, total, `${done}/${total} images${h ? ` (${h} from the cache)` : ''}`),
    });
    const ok = records.filter((r) => r.ok);
    const d = ok[0]?.features.length ?? 0;
    const features = new Float32Array(ok.length * d);
    const thumbnails = new Uint8Array(ok.length * size * size * 3);
    ok.forEach((r, i) => {
      features.set(r.features, i * d);
      thumbnails.set(r.thumbnail, i * size * size * 3);
    });
    throwIfCancelled(ctx.signal);
    ctx.progress(paths.length, paths.length, 'principal components');
    await yieldToEventLoop();
    const layout = await pcaLayout(features, ok.length, d);
    const token = randomUUID();
    keep(token, { features, n: ok.length, d });
    const { status } = model;
    return {
      token,
      images: records.map((r) =>
        r.ok ? { path: r.path, ok: true as const, top: r.top, width: r.width, height: r.height, cached: r.cached } : { path: r.path, ok: false as const, error: r.error, code: r.code },
      ),
      layer: runner.layer,
      dims: d,
      thumbSize: size,
      thumbnails,
      pca: normaliseLayout(layout.coords),
      explained: layout.explained,
      classNames: status.classNames,
      weightsLabel: status.weightsLabel,
      untrained: status.untrained,
      variant: status.variant,
      runtime: runner.runtime === 'onnx' ? engine.inferenceLabel() : engine.requireBackend().label,
      computed,
      cached,
      ms: Math.round(performance.now() - t0),
    };
  },

  async projectLayout({ token, seed }, ctx) {
    const t0 = performance.now();
    const f = kept.get(token);
    if (!f) throw new EngineFailure('These features are no longer kept by the engine: project the folder again', 'bad-input');
    const layout = await umapLayout(f.features, f.n, f.d, {
      seed,
      onStage: async (message) => {
        ctx.progress(0, undefined, message);
        await yieldToEventLoop();
        throwIfCancelled(ctx.signal);
      },
      onEpoch: async (epoch, epochs, coords) => {
        const event: ProjectLayoutEvent = { kind: 'projectLayout', token, epoch, epochs, coords: normaliseLayout(coords) };
        ctx.emit(event);
        ctx.progress(epoch, epochs, `UMAP epoch ${epoch}/${epochs}`);
        await yieldToEventLoop();
        throwIfCancelled(ctx.signal);
      },
    });
    return { token, method: layout.method, coords: normaliseLayout(layout.coords), epochs: layout.epochs, ms: Math.round(performance.now() - t0) };
  },
};
}
