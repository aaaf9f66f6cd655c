// The GPU setup check's report (made by src/engine/doctor.ts), shown by the host and the CLI.
import type { BackendReport } from './backend';

export type CheckStatus = 'ok' | 'missing' | 'warn' | 'info';

export interface DoctorCheck {
  name: string;
  status: CheckStatus;
  found: string;
  /** what to do about it, when something is missing */
  fix?: string;
}

export interface DoctorReport {
  checks: DoctorCheck[];
  backend: BackendReport;
  summary: string;
}
