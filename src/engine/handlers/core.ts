// Handlers for the core requests: init, status, loadModel, classify, info.
import type { CoreRequests } from '../../protocol/engine';
import type { Handler } from './context';
import { ENGINE_VERSION, type Engine } from '../engine';
import { runDoctor } from '../doctor';

type CoreHandlers = { [M in keyof CoreRequests]: Handler<M> };

export const createCoreHandlers = (engine: Engine): CoreHandlers => ({
  async init({ backend, threads, device }) {
    await engine.init(backend, threads, device);
    return { backend: engine.requireBackend(), device: engine.deviceReport, model: engine.model?.status, pid: process.pid, engineVersion: ENGINE_VERSION };
  },
  async status() {
    return { backend: engine.requireBackend(), device: engine.deviceReport, model: engine.model?.status, pid: process.pid, engineVersion: ENGINE_VERSION };
  },
  async devices() {
    return engine.deviceReady();
  },
  async loadModel({ variant, weights }) {
    return engine.loadModel(variant, weights);
  },
  async classify({ paths, topK, exifOrientation }, ctx) {
    const t0 = performance.now();
    const items = await engine.classifyFiles(paths, {
      topK,
      exifOrientation,
      signal: ctx.signal,
      onProgress: (done, total, path) => ctx.progress(done, total, path),
    });
    const model = engine.requireModel().status;
    return { items, model, backend: engine.inferenceLabel(), totalMs: Math.round(performance.now() - t0) };
  },
  async info({ variant }) {
    return engine.info(variant);
  },
  async doctor({ installDir }) {
    return runDoctor(engine.requireBackend(), installDir, await engine.deviceReady());
  },
});
