// The probe image's files in a run folder: probe.json (the image the user chose, written by the
// training view, even mid-run) and probe-<epoch>.json (its top-5 and Grad-CAM with that epoch's
// weights, probeImage.ts; only the latest is kept, which is all the view shows). File access only:
// the extension host reads them too.
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { ProbeRecordFile, ProbeRequestFile } from '../../protocol/engine/train';
import { writeJsonAtomic } from './runFiles';

export const PROBE_REQUEST_FILE = 'probe.json';
const RECORD_PATTERN = /^probe-(\d+)\.json$/;

export function probeFileName(epoch: number): string {
  return `probe-${epoch}.json`;
}

/** The image named by <runDir>/probe.json, or null when there is none; a bad file throws a clear message. */
export function readProbeRequest(runDir: string): string | null {
  const path = join(runDir, PROBE_REQUEST_FILE);
  if (!existsSync(path)) return null;
  let parsed: Partial<ProbeRequestFile>;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<ProbeRequestFile>;
  } catch (e) {
    throw new Error(`${path} cannot be read: ${(e as Error).message}`);
  }
  if (typeof parsed.image !== 'string' || !parsed.image) throw new Error(`${path} names no image (expected {"version":1,"image":"/path/to/image"})`);
  if (!existsSync(parsed.image)) throw new Error(`the probe image ${parsed.image} does not exist`);
  return parsed.image;
}

/** Writes probe.json (the training view's Choose Probe Image…). */
export function writeProbeRequest(runDir: string, image: string): void {
  writeJsonAtomic(join(runDir, PROBE_REQUEST_FILE), { version: 1, image } satisfies ProbeRequestFile);
}

/** Writes an epoch's record, then deletes the earlier epochs' (a crash in between leaves one too many). */
export function writeProbeRecord(runDir: string, record: ProbeRecordFile): string {
  const path = join(runDir, probeFileName(record.epoch));
  writeJsonAtomic(path, record);
  pruneProbeRecords(runDir, (epoch) => epoch < record.epoch);
  return path;
}

/** Deletes the records of the epochs `drop` picks (a resume drops those after its checkpoint). Returns them. */
export function pruneProbeRecords(runDir: string, drop: (epoch: number) => boolean): number[] {
  const gone = probeEpochs(runDir).filter(drop);
  for (const epoch of gone) rmSync(join(runDir, probeFileName(epoch)), { force: true });
  return gone;
}

/** The epochs that have a probe record, ascending. */
export function probeEpochs(runDir: string): number[] {
  if (!existsSync(runDir)) return [];
  return readdirSync(runDir).map((n) => RECORD_PATTERN.exec(n)).filter((m) => m).map((m) => Number(m![1])).sort((a, b) => a - b);
}

/** The latest epoch's probe record (a finished run's view on reopening), or null. */
export function latestProbeRecord(runDir: string): ProbeRecordFile | null {
  const epochs = probeEpochs(runDir);
  if (!epochs.length) return null;
  try {
    return JSON.parse(readFileSync(join(runDir, probeFileName(epochs[epochs.length - 1])), 'utf8')) as ProbeRecordFile;
  } catch {
    return null;
  }
}
