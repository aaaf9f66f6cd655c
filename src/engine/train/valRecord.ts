// Every validation image of an epoch with its true class, prediction, loss and top probabilities:
// val-<epoch>.json in the run folder, read by the training view's gallery and Top losses list.
// Only the best and the last epoch keep theirs (a run keeps its last checkpoint and its best model,
// nothing more), written compactly and atomically.
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { ValidationImage, ValidationRecordFile } from '../../protocol/engine/train';

export const TOP_CLASSES = 3;
const FILE_PATTERN = /^val-(\d+)\.json$/;

export function validationFileName(epoch: number): string {
  return `val-${epoch}.json`;
}

/** Rounds a probability or a loss so the file stays small (4 significant digits). */
function round4(x: number): number {
  return Number.isFinite(x) ? Number(x.toPrecision(4)) : x;
}

/** The k most probable classes of one row of probabilities, highest first (ties: lower index). */
export function topClasses(probs: ArrayLike<number>, k = TOP_CLASSES): [number, number][] {
  const idx = Array.from({ length: probs.length }, (_, i) => i).sort((a, b) => probs[b] - probs[a] || a - b);
  return idx.slice(0, Math.min(k, probs.length)).map((c) => [c, round4(probs[c])]);
}

/** Collects one epoch's validation images as the evaluation goes. */
export class ValidationRecorder {
  private readonly images: ValidationImage[] = [];
  private readonly folder: string;

  constructor(folder: string, private readonly topK = TOP_CLASSES) {
    this.folder = resolve(folder);
  }

  /** `probs`: the image's softmax over the classes; `loss`: its cross-entropy. */
  add(path: string, actual: number, predicted: number, probs: ArrayLike<number>, loss: number): void {
    this.images.push({
      path: relative(this.folder, path) || path,
      actual,
      predicted,
      loss: round4(loss),
      pActual: round4(probs[actual]),
      top: topClasses(probs, this.topK),
    });
  }

  get size(): number {
    return this.images.length;
  }

  record(epoch: number, classNames: string[]): ValidationRecordFile {
    return { version: 1, epoch, folder: this.folder, classNames, images: this.images };
  }
}

/** Writes val-<epoch>.json atomically (a reader never sees half a file). */
export function writeValidationRecord(runDir: string, record: ValidationRecordFile): string {
  const path = join(runDir, validationFileName(record.epoch));
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, JSON.stringify(record));
  renameSync(tmp, path);
  return path;
}

/** The epochs whose record is in the run folder, ascending. */
export function validationEpochs(runDir: string): number[] {
  if (!existsSync(runDir)) return [];
  return readdirSync(runDir)
    .map((n) => FILE_PATTERN.exec(n))
    .filter((m): m is RegExpExecArray => !!m)
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
}

/** The record of one epoch; null when the run folder has none for it. Throws on a damaged file. */
export function readValidationRecord(runDir: string, epoch: number): ValidationRecordFile | null {
  const path = join(runDir, validationFileName(epoch));
  if (!existsSync(path)) return null;
  let parsed: ValidationRecordFile;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8')) as ValidationRecordFile;
  } catch (e) {
    throw new Error(`${path} cannot be read: ${(e as Error).message}`);
  }
  if (parsed.version !== 1 || !Array.isArray(parsed.images)) throw new Error(`${path} is not a validation record this version reads`);
  return parsed;
}

/** Absolute path of an image in a record. */
export function imagePath(record: Pick<ValidationRecordFile, 'folder'>, image: Pick<ValidationImage, 'path'>): string {
  return join(record.folder, image.path);
}

/**
 * Deletes the records of epochs not in `keep` and of epochs after `upTo` (a resume drops the epochs
 * after its checkpoint). Returns the epochs deleted.
 */
export function pruneValidationRecords(runDir: string, keep: (number | undefined)[], upTo = Infinity): number[] {
  const kept = new Set(keep.filter((e): e is number => e !== undefined));
  const gone: number[] = [];
  for (const epoch of validationEpochs(runDir)) {
    if (kept.has(epoch) && epoch <= upTo) continue;
    rmSync(join(runDir, validationFileName(epoch)), { force: true });
    gone.push(epoch);
  }
  return gone;
}
