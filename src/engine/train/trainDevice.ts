// Where a run's ONNX Runtime steps compute: the device the engine chose (deviceChoice.ts, after its
// self-test), and the CPU EP when a training session on that device cannot be made or fails.
// A self-test passes on small nets; the real network may still not fit or load on the device:
// then training goes on on the CPU and the record says why, rather than the run failing.
import type { DeviceReport } from '../../protocol/engine/device';
import type { TrainDeviceRecord } from '../../protocol/engine/train';
import { describeSkipped } from '../onnx/deviceChoice';
import { DEVICE_LABELS } from '../onnx/devices';
import { TrainRunner, type RunnerOptions, type RunnerState } from '../onnx/train/runner';
import type { HostTensor } from '../weights/hostTensor';

export type RunnerFactory = (opts: RunnerOptions, params: Record<string, HostTensor>, state?: RunnerState) => Promise<TrainRunner>;

/** The record of the engine's choice; no choice given (tests, tools): the CPU. */
export function deviceRecordOf(report?: Pick<DeviceReport, 'preference' | 'chosen' | 'label' | 'skipped'>): TrainDeviceRecord {
  if (!report) return { id: 'cpu', label: 'CPU', preference: 'cpu' };
  const notUsed = describeSkipped(report);
  return { id: report.chosen, label: report.label, preference: report.preference, ...(notUsed.length ? { notUsed } : {}) };
}

/** The record once the steps moved to the CPU because the device's session failed. */
export function onCpuBecause(record: TrainDeviceRecord, reason: string): TrainDeviceRecord {
  return { ...record, id: 'cpu', label: 'CPU', reason };
}

/** One line: "webgpu (WebGPU (llvmpipe ...), software)" plus why, when the steps are not where the engine chose. */
export function describeTrainDevice(d: TrainDeviceRecord): string {
  return `${d.id} (${d.label}${d.reason ? `; ${d.reason}` : ''})`;
}

export function firstLine(e: unknown): string {
  return String((e as Error)?.message ?? e).split('\n')[0].slice(0, 300);
}

/**
 * A runner on `record.id`; when that session cannot be created on a GPU device, one on the CPU EP
 * (logged, and the returned record says why). The CPU's own failure is thrown.
 */
export async function createRunnerOnDevice(
  opts: Omit<RunnerOptions, 'device'>,
  params: Record<string, HostTensor>,
  state: RunnerState | undefined,
  record: TrainDeviceRecord,
  log?: (message: string) => void,
  create: RunnerFactory = (o, p, s) => TrainRunner.create(o, p, s),
): Promise<{ runner: TrainRunner; device: TrainDeviceRecord }> {
  if (record.id === 'cpu') return { runner: await create({ ...opts, device: 'cpu' }, params, state), device: record };
  try {
    return { runner: await create({ ...opts, device: record.id }, params, state), device: record };
  } catch (e) {
    const reason = `the ${DEVICE_LABELS[record.id]} training session could not be created: ${firstLine(e)}`;
    log?.(`${reason}; training runs on the CPU`);
    return { runner: await create({ ...opts, device: 'cpu' }, params, state), device: onCpuBecause(record, reason) };
  }
}
