// What the training view shows, built from the engine's records (events while training, or a run
// folder read back). No `vscode` import: the mapping is unit-tested.
import { basename } from 'node:path';
import type { EpochRecord, OpenRunResult, RunConfigFile, RunState, TrainEpochEvent, ValidationRecordFile } from '../../protocol/engine/train';
import { stepPoint, type ComparisonRun, type EpochView, type GalleryImage, type ImageEdit, type RunStatus, type RunView } from '../../protocol/webview/training';
import { imagePath } from '../../engine/train/valRecord';
import { storedProbe } from './probeView';

/** Turns a file path into a URI the webview may load (the panel's asWebviewUri). */
export type ToWebviewSrc = (path: string) => string;

export function epochView(e: EpochRecord | TrainEpochEvent, toSrc: ToWebviewSrc): EpochView {
  return {
    epoch: e.epoch,
    globalStep: e.globalStep,
    trainLoss: e.trainLoss,
    trainAcc: e.trainAcc,
    valLoss: e.valLoss,
    valAcc: e.valAcc,
    lr: e.lr,
    nextLr: e.nextLr,
    confusion: e.confusion,
    precision: e.precision,
    recall: e.recall,
    examples: e.examples.map((x) => ({ actual: x.actual, predicted: x.predicted, images: x.paths.map((path) => ({ path, src: toSrc(path) })) })),
    skipped: e.skipped,
    best: e.best,
    trainImages: e.trainImages,
    valImages: e.valImages,
    seconds: e.seconds,
    time: e.time,
  };
}

/** An epoch's validation record as gallery images, with what this view did to each. */
export function galleryImages(record: ValidationRecordFile, toSrc: ToWebviewSrc, editOf: (path: string) => ImageEdit | undefined): GalleryImage[] {
  return record.images.map((img) => {
    const path = imagePath(record, img);
    const edit = editOf(path);
    return { ...img, path, src: toSrc(path), ...(edit ? { edit } : {}) };
  });
}

/** Why an epoch has no gallery: only the best and the last epoch keep their per-image results. */
export function noRecordMessage(epoch: number, recorded: number[]): string {
  if (!recorded.length) return 'This run has no per-image validation results (runs record them for their best and last epoch): train again to see its images here.';
  const list = recorded.map((e) => `epoch ${e}`).join(' and ');
  return `Per-image validation results are kept for the best and the last epoch only (${list}); epoch ${epoch} has none.`;
}

/** A finished run is 'done'; one that stopped before its last epoch can be resumed ('cancelled'). */
export function statusOfStoredRun(state: RunState | null, epochsDone: number, plannedEpochs: number): RunStatus {
  if (state?.finished) return 'done';
  return epochsDone >= plannedEpochs ? 'done' : 'cancelled';
}

export function runViewFromOpenRun(run: OpenRunResult, toSrc: ToWebviewSrc): RunView {
  const epochs = run.epochs.map((e) => epochView(e, toSrc));
  const status = statusOfStoredRun(run.state, run.state?.epochsDone ?? epochs.length, run.config.config.epochs);
  return {
    runDir: run.runDir,
    name: basename(run.runDir),
    config: run.config,
    status,
    ...(status === 'cancelled' && { message: `stopped after ${run.state?.epochsDone ?? 0} of ${run.config.config.epochs} epochs; it can be resumed` }),
    steps: run.steps.map(stepPoint),
    epochs,
    hasBest: !!run.bestPath,
    live: false,
    ...storedProbe(run.runDir),
  };
}

/** A run read back as the dashed curves of Compare with Run… (its epochs only: the state stays small). */
export function comparisonRun(run: Pick<OpenRunResult, 'runDir' | 'epochs'>): ComparisonRun {
  return {
    runDir: run.runDir,
    name: basename(run.runDir),
    epochs: run.epochs.map((e) => ({ epoch: e.epoch, trainLoss: e.trainLoss, trainAcc: e.trainAcc, valLoss: e.valLoss, valAcc: e.valAcc })),
  };
}

/** The view of a run that is starting (no steps yet); `steps`/`epochs` carry a resumed run's history. */
export function liveRunView(runDir: string, config: RunConfigFile, history: Pick<RunView, 'steps' | 'epochs' | 'hasBest'> = { steps: [], epochs: [], hasBest: false }): RunView {
  return { runDir, name: basename(runDir), config, status: 'training', live: true, ...history, ...storedProbe(runDir) };
}

/** One line for the progress notification. */
export function progressMessage(p: { epoch: number; totalEpochs: number; step: number; stepsPerEpoch: number; loss: number; imagesPerSec: number; etaSeconds: number | null }): string {
  return `Epoch ${p.epoch}/${p.totalEpochs} · step ${p.step}/${p.stepsPerEpoch} · loss ${formatLoss(p.loss)} · ${p.imagesPerSec.toFixed(1)} img/s · ${formatEta(p.etaSeconds)}`;
}

export function formatLoss(loss: number): string {
  if (!Number.isFinite(loss)) return String(loss);
  return Math.abs(loss) >= 100 ? loss.toFixed(1) : loss.toFixed(3);
}

export function formatEta(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return 'time left unknown';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s left`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s left`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min left`;
}

/** A fraction as a percentage; a dash when undefined. */
export function percent(x: number | null | undefined, digits = 1): string {
  return x === null || x === undefined || !Number.isFinite(x) ? '–' : `${(x * 100).toFixed(digits)}%`;
}
