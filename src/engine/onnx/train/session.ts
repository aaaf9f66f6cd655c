// Where training sessions are made: one function, so device selection (CPU, WebGPU, CUDA, DirectML
// session options) plugs in at one place. For now the CPU EP.
import { loadOrt } from '../runtime';

export type TrainDevice = 'cpu';

export interface OrtTensorLike {
  readonly data: unknown;
  readonly dims: readonly number[];
}
export interface TrainSession {
  run(feeds: Record<string, OrtTensorLike>, fetches: Record<string, OrtTensorLike | null> | string[]): Promise<Record<string, OrtTensorLike>>;
  release(): Promise<void>;
}

export function trainSessionOptions(_device: TrainDevice, threads?: number): Record<string, unknown> {
  return {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    interOpNumThreads: 1,
    ...(threads ? { intraOpNumThreads: threads } : {}),
    logSeverityLevel: 3,
  };
}

export async function createTrainingSession(modelBytes: Uint8Array, device: TrainDevice = 'cpu', opts: { threads?: number; profile?: string } = {}): Promise<TrainSession> {
  const ort = loadOrt();
  const options = trainSessionOptions(device, opts.threads);
  if (opts.profile) Object.assign(options, { enableProfiling: true, profileFilePrefix: opts.profile });
  return (await ort.InferenceSession.create(modelBytes, options)) as unknown as TrainSession;
}

export function ortTensor(data: Float32Array, dims: readonly number[]): OrtTensorLike {
  const ort = loadOrt();
  return new ort.Tensor('float32', data, dims);
}
