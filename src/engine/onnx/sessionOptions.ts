// The devices ONNX Runtime can compute on, and the session options for each: the one place an
// execution provider is named (the inference runtime and the trainer both create sessions with it).
import { DEVICE_IDS, DEVICE_PREFERENCES, type DeviceId, type DevicePreference } from '../../protocol/engine/device';

export { DEVICE_IDS, DEVICE_PREFERENCES };
export type { DeviceId, DevicePreference };
/** The order 'auto' tries (directml only when asked for: WebGPU covers the same Windows GPUs). */
export const AUTO_ORDER: readonly DeviceId[] = ['cuda', 'webgpu', 'cpu'];

export interface SessionBase {
  /** CPU intra-op threads (default: ORT's choice) */
  threads?: number;
  /** ORT weight pre-packing (CPU); default on */
  prepack?: boolean;
  /** ORT's log level: 0 verbose ... 3 errors (default) */
  logSeverityLevel?: number;
}

/** Session options for `device`: the one place an execution provider is named. */
export function sessionOptionsFor(device: DeviceId, base: SessionBase = {}): Record<string, unknown> {
  const providers: Record<DeviceId, unknown[]> = {
    cpu: ['cpu'],
    webgpu: [{ name: 'webgpu' }],
    cuda: [{ name: 'cuda', deviceId: 0 }],
    directml: [{ name: 'dml', deviceId: 0 }],
  };
  return {
    executionProviders: providers[device],
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    interOpNumThreads: 1,
    ...(base.threads ? { intraOpNumThreads: base.threads } : {}),
    ...(base.prepack === false ? { extra: { session: { disable_prepacking: '1' } } } : {}),
    logSeverityLevel: base.logSeverityLevel ?? 3,
  };
}

