// Which device ONNX Runtime computes on: the one asked for when its self-test passes, else the
// CPU; 'auto' tries cuda, then a hardware WebGPU adapter, then the CPU, and says why each better
// one was skipped.
import { AUTO_ORDER, DEVICE_LABELS, ortInfo, probeDevices, webgpuCanBeHardware, type DeviceId, type DevicePreference, type OrtInfo } from './devices';
import { selfTestOnce, type SelfTestResult } from './selfTest';

export type { DeviceReport } from '../../protocol/engine/device';
import type { DeviceReport } from '../../protocol/engine/device';

export interface ChooseOptions {
  /** stand-ins for tests */
  info?: OrtInfo;
  selfTest?: (d: DeviceId) => Promise<SelfTestResult>;
  canBeHardware?: () => boolean;
}

export async function chooseDevice(preference: DevicePreference, opts: ChooseOptions = {}): Promise<DeviceReport> {
  const info = opts.info ?? ortInfo();
  const probes = probeDevices(info);
  const selfTest = opts.selfTest ?? ((d: DeviceId) => selfTestOnce(d));
  const canBeHardware = opts.canBeHardware ?? webgpuCanBeHardware;
  const order: DeviceId[] = preference === 'auto' ? [...AUTO_ORDER] : preference === 'cpu' ? ['cpu'] : [preference, 'cpu'];
  const skipped: DeviceReport['skipped'] = [];
  const selfTests: SelfTestResult[] = [];
  const report = (chosen: DeviceId, label: string): DeviceReport => ({
    preference,
    chosen,
    label,
    skipped,
    probes,
    selfTests,
    ort: { ok: info.ok, version: info.version, backends: info.backends, reason: info.reason },
  });
  for (const id of order) {
    if (id === 'cpu') break;
    const probe = probes.find((p) => p.id === id)!;
    if (!probe.available) {
      skipped.push({ id, reason: probe.reason });
      continue;
    }
    if (preference === 'auto' && id === 'webgpu' && !canBeHardware()) {
      skipped.push({ id, reason: `${probe.reason} (auto picks hardware adapters only; set the device to webgpu to use it anyway)` });
      continue;
    }
    const st = await selfTest(id);
    selfTests.push(st);
    if (!st.ok) {
      skipped.push({ id, reason: `self-test failed: ${st.reason}` });
      continue;
    }
    if (preference === 'auto' && st.software) {
      skipped.push({ id, reason: `only a software adapter answers (${st.adapter}): slower than the CPU provider (set the device to webgpu to use it anyway)` });
      continue;
    }
    const on = st.adapter ? ` (${st.adapter}${st.software ? ', software' : ''})` : '';
    return report(id, `${DEVICE_LABELS[id]}${on}`);
  }
  return report('cpu', 'CPU');
}

/** One line per skipped device, for logs and the status bar tooltip. */
export function describeSkipped(r: Pick<DeviceReport, 'skipped'>): string[] {
  return r.skipped.map((s) => `${DEVICE_LABELS[s.id]} not used: ${s.reason}`);
}
