// Training request handlers (owned by the training feature): thin adapters from the protocol
// to train/*, turning cancellation into `cancelled: true` results and input problems into codes.
// The steps run on the engine's device: its choice (a GPU's self-test) is awaited before training starts.
import type { Handler, RequestContext } from './context';
import type { Engine } from '../engine';
import { DEVICE_LABELS } from '../onnx/devices';
import { EngineFailure } from './context';
import type { TrainEvent, TrainRequests, TrainStorage } from '../../protocol/engine/train';
import { scanDataset } from '../train/dataset';
import { resumeTraining, startTraining, type TrainHooks } from '../train/trainer';

async function hooksFor(engine: Engine, ctx: RequestContext<'train' | 'resumeTraining'>, storage: TrainStorage): Promise<TrainHooks> {
  if (!engine.deviceReport) {
    const asked = engine.devicePreference;
    if (asked !== 'auto' && asked !== 'cpu') ctx.progress(0, undefined, `Testing ${DEVICE_LABELS[asked]} before training`);
  }
  const device = await engine.deviceReady();
  return {
    device,
    ...(storage.featureCacheDir ? { features: { diskRoot: storage.featureCacheDir } } : {}),
    signal: ctx.signal,
    emit: (event: TrainEvent) => ctx.emit(event),
    progress: (done, total, message) => ctx.progress(done, total, message),
    log: (message) => ctx.emit({ kind: 'log', level: 'warn', message }),
  };
}

/** Errors that carry a code (bad input, bad weights) become EngineFailures with that code. */
async function withCodes<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    if (e instanceof EngineFailure) throw e;
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && ['bad-input', 'bad-weights'].includes(code)) throw new EngineFailure((e as Error).message, code);
    if (e instanceof Error && /WeightsFileError|WeightsMismatchError/.test(e.constructor.name)) throw new EngineFailure(e.message, 'bad-weights');
    throw e;
  }
}

export const createTrainHandlers = (engine: Engine): { [M in keyof TrainRequests]: Handler<M> } => ({
  scanDataset: (p) => withCodes(async () => (await scanDataset(p.folder, { valFraction: p.valFraction, seed: p.seed })).summary),
  train: (p, ctx) => withCodes(async () => startTraining(p.folder, p.runsRoot, p.config, await hooksFor(engine, ctx, p), { probeImage: p.probeImage })),
  resumeTraining: (p, ctx) => withCodes(async () => resumeTraining(p.runDir, await hooksFor(engine, ctx, p), { epochs: p.epochs })),
});
