// The run folder: <runsRoot>/<YYYY-MM-DD_HH-MM-SS>/ with
//   config.json              the resolved config and dataset facts (RunConfigFile)
//   metrics.jsonl            one StepRecord per step, one EpochRecord per epoch
//   checkpoint.safetensors   last finished epoch (overwritten each epoch): weights, optimiser state, state in metadata
//   best.safetensors         weights of the best epoch (by validation accuracy), loadable as a model
//   val-<epoch>.json         every validation image of the best and of the last epoch (valRecord.ts)
//   probe.json               the probe image the user chose; probe-<epoch>.json, its latest result (probeFiles.ts)
//   dataset-edits.json       Move to Class / Exclude made from the training view, for Undo (extension/train/datasetEdits.ts)
// Nothing else: no per-epoch copies. Frozen and probe runs started from a weights file store only the
// layers they train in both files, plus `baseWeights` (path, SHA-256) in their metadata and in
// config.json; weights/loadWeights.ts and the trainer's resume complete them from that file.
import { appendFileSync, existsSync, mkdirSync, openSync, readFileSync, readSync, closeSync, writeFileSync, renameSync, readdirSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { EpochRecord, MetricsRecord, OpenRunResult, RunConfigFile, RunState, StepRecord } from '../../protocol/engine/train';

export const CONFIG_FILE = 'config.json';
export const METRICS_FILE = 'metrics.jsonl';
export const CHECKPOINT_FILE = 'checkpoint.safetensors';
export const BEST_FILE = 'best.safetensors';

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

export function runFolderName(d = new Date()): string {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}_${pad(d.getHours())}-${pad(d.getMinutes())}-${pad(d.getSeconds())}`;
}

/**
 * Keeps runs (hundreds of MB of weights) out of git: a `.gitignore` of `*` in the `.alexnet/` folder
 * above the runs root (or in the runs root itself when it is elsewhere); one the user edited is kept.
 */
export function ignoreRunsInGit(runsRoot: string): string {
  const dir = basename(dirname(resolve(runsRoot))) === '.alexnet' ? dirname(resolve(runsRoot)) : resolve(runsRoot);
  const path = join(dir, '.gitignore');
  mkdirSync(dir, { recursive: true });
  if (!existsSync(path)) writeFileSync(path, '# AlexNet Explorer training runs (weights, checkpoints): not for version control\n*\n');
  return path;
}

/** Creates a fresh run folder (a suffix when two runs start in the same second). */
export function createRunDir(runsRoot: string, d = new Date()): string {
  mkdirSync(runsRoot, { recursive: true });
  ignoreRunsInGit(runsRoot);
  const base = runFolderName(d);
  for (let i = 1; ; i++) {
    const dir = join(runsRoot, i === 1 ? base : `${base}-${i}`);
    if (!existsSync(dir)) {
      mkdirSync(dir);
      return dir;
    }
  }
}

export function writeJsonAtomic(path: string, value: unknown): void {
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, JSON.stringify(value, null, 2) + '\n');
  renameSync(tmp, path);
}

export function readRunConfig(runDir: string): RunConfigFile {
  return JSON.parse(readFileSync(join(runDir, CONFIG_FILE), 'utf8')) as RunConfigFile;
}

export function appendMetrics(runDir: string, record: MetricsRecord): void {
  appendFileSync(join(runDir, METRICS_FILE), JSON.stringify(record) + '\n');
}

/** Every well-formed line (a torn last line after a crash is ignored). */
export function readMetrics(runDir: string): MetricsRecord[] {
  const path = join(runDir, METRICS_FILE);
  if (!existsSync(path)) return [];
  const out: MetricsRecord[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line) as MetricsRecord);
    } catch {
      // torn write
    }
  }
  return out;
}

/** Drops the lines written after the checkpoint (steps past its globalStep, epochs past its epoch), atomically. */
export function truncateMetrics(runDir: string, epochsDone: number, globalStep: number): number {
  const kept = readMetrics(runDir).filter((r) => (r.type === 'step' ? r.globalStep <= globalStep : r.epoch <= epochsDone));
  const tmp = join(runDir, `${METRICS_FILE}.tmp`);
  writeFileSync(tmp, kept.map((r) => JSON.stringify(r) + '\n').join(''));
  renameSync(tmp, join(runDir, METRICS_FILE));
  return kept.length;
}

export function splitMetrics(records: MetricsRecord[]): { steps: StepRecord[]; epochs: EpochRecord[] } {
  return {
    steps: records.filter((r): r is StepRecord => r.type === 'step'),
    epochs: records.filter((r): r is EpochRecord => r.type === 'epoch'),
  };
}

/** A safetensors file's metadata without reading its tensors. */
export function readSafetensorsMetadata(path: string): Record<string, string> | null {
  if (!existsSync(path)) return null;
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(8);
    if (readSync(fd, head, 0, 8, 0) < 8) return null;
    const len = Number(head.readBigUInt64LE(0));
    if (len > 100 * 2 ** 20) return null;
    const json = Buffer.alloc(len);
    readSync(fd, json, 0, len, 8);
    const header = JSON.parse(json.toString('utf8')) as { __metadata__?: Record<string, string> };
    return header.__metadata__ ?? {};
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

export function readRunState(runDir: string): RunState | null {
  const meta = readSafetensorsMetadata(join(runDir, CHECKPOINT_FILE));
  if (!meta?.state) return null;
  const s = JSON.parse(meta.state) as RunState;
  return { epochsDone: s.epochsDone, globalStep: s.globalStep, lr: s.lr, bestValAcc: s.bestValAcc, finished: s.finished };
}

/** Run folders under runsRoot, newest first (names sort by time). */
export function listRunDirs(runsRoot: string): string[] {
  if (!existsSync(runsRoot)) return [];
  return readdirSync(runsRoot)
    .filter((n) => {
      const p = join(runsRoot, n);
      return statSync(p).isDirectory() && existsSync(join(p, CONFIG_FILE));
    })
    .sort()
    .reverse()
    .map((n) => join(runsRoot, n));
}

/** A run folder read back for the training view (works while the run is still going). */
export function openRun(runDir: string): OpenRunResult {
  if (!existsSync(join(runDir, CONFIG_FILE))) throw Object.assign(new Error(`${runDir} is not a training run folder (no ${CONFIG_FILE})`), { code: 'bad-input' });
  const config = readRunConfig(runDir);
  const { steps, epochs } = splitMetrics(readMetrics(runDir));
  const best = join(runDir, BEST_FILE);
  return { runDir, config, steps, epochs, state: readRunState(runDir), ...(existsSync(best) ? { bestPath: best } : {}) };
}

export function listRuns(runsRoot: string): { runDir: string; name: string; state: RunState | null; config: RunConfigFile | null }[] {
  return listRunDirs(runsRoot).map((runDir) => {
    let config: RunConfigFile | null = null;
    try {
      config = readRunConfig(runDir);
    } catch {
      // unreadable config: still listed
    }
    return { runDir, name: basename(runDir), state: readRunState(runDir), config };
  });
}

/** Deletes a run folder: only one that holds a run's config.json, so a wrong path deletes nothing. */
export function deleteRun(runDir: string): void {
  if (!existsSync(join(runDir, CONFIG_FILE))) throw Object.assign(new Error(`${runDir} is not a training run folder (no ${CONFIG_FILE}): not deleted`), { code: 'bad-input' });
  rmSync(runDir, { recursive: true, force: true });
}

/** Bytes a run folder takes on disk (its files, not recursing into anything else). */
export function runSizeBytes(runDir: string): number {
  let total = 0;
  for (const name of readdirSync(runDir)) {
    try {
      const st = statSync(join(runDir, name));
      if (st.isFile()) total += st.size;
    } catch {
      // removed meanwhile
    }
  }
  return total;
}
