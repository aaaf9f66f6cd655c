// The GPU setup check's report (made by src/engine/doctor.ts), shown by the host and the CLI.
import type { BackendReport } from './backend';
import type { DeviceId, DeviceReport } from './device';

export type CheckStatus = 'ok' | 'missing' | 'warn' | 'info';

export interface DoctorCheck {
  name: string;
  status: CheckStatus;
  found: string;
  /** what to do about it, when something is missing */
  fix?: string;
}

/** One device as the doctor sees it: looked at, and self-tested when it could run. */
export interface DoctorDevice {
  id: DeviceId;
  /** usable: present and (a GPU device) its self-test passed */
  available: boolean;
  reason: string;
  fix?: string;
  /** the device ONNX Runtime uses now */
  chosen: boolean;
  adapter?: string;
  software?: boolean;
}

export interface DoctorReport {
  /** the headline; first in every rendering, so "below" is where the details are */
  summary: string;
  checks: DoctorCheck[];
  ort: DeviceReport['ort'];
  devices: DoctorDevice[];
  /** the device ONNX Runtime uses, and why faster ones were skipped */
  device: DeviceReport;
  backend: BackendReport;
}
