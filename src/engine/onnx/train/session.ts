// Where training sessions are made: one function, so the device's session options (devices.ts) and
// the graph formulation it needs (graphBuilder.ts: CPU_GRAPH_OPTIONS / GPU_GRAPH_OPTIONS) meet in one place.
import { sessionOptionsFor, type DeviceId } from '../devices';
import { loadOrt } from '../runtime';
import { CPU_GRAPH_OPTIONS, GPU_GRAPH_OPTIONS, type TrainGraphOptions } from './graphBuilder';

export type TrainDevice = DeviceId;

export interface OrtTensorLike {
  readonly data: unknown;
  readonly dims: readonly number[];
}
export interface TrainSession {
  run(feeds: Record<string, OrtTensorLike>, fetches: Record<string, OrtTensorLike | null> | string[]): Promise<Record<string, OrtTensorLike>>;
  release(): Promise<void>;
}

/** The graph formulation a device runs: the CPU EP's fastest, or ops every EP has (no MaxPool Indices, Sum, LogSoftmax; Conv-of-transposes dW). */
export function graphOptionsFor(device: TrainDevice): Required<TrainGraphOptions> {
  return device === 'cpu' ? CPU_GRAPH_OPTIONS : GPU_GRAPH_OPTIONS;
}

export async function createTrainingSession(modelBytes: Uint8Array, device: TrainDevice = 'cpu', opts: { threads?: number; profile?: string } = {}): Promise<TrainSession> {
  const ort = loadOrt();
  const options = sessionOptionsFor(device, { ...(opts.threads ? { threads: opts.threads } : {}) });
  // ORT's memory pattern plans one block for a step's intermediates that is larger than the arena
  // reusing freed buffers as they go: torchvision b128 peaked at 3.5 GB with it, 2.7 GB without, same speed
  options.enableMemPattern = false;
  if (opts.profile) Object.assign(options, { enableProfiling: true, profileFilePrefix: opts.profile });
  return (await ort.InferenceSession.create(modelBytes, options)) as unknown as TrainSession;
}

export function ortTensor(data: Float32Array, dims: readonly number[]): OrtTensorLike {
  const ort = loadOrt();
  return new ort.Tensor('float32', data, dims);
}
