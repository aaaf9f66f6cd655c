// Messages between the training view (host: src/extension/train/trainingPanel.ts) and its
// webview (main.ts). Both sides import this file, so a renamed field breaks the build.
import type { AugmentConfig, EpochRecord, ProbeRecordFile, RunConfigFile, StepRecord, TrainMode, ValidationImage } from '../engine/train';
import type { WebviewProtocol } from './protocol';

/**
 * 'training' while the engine runs it; 'cancelled' also for a run read back that did not finish
 * (it can be resumed); 'done' when every planned epoch (or the early stop) finished.
 */
export type RunStatus = 'training' | 'done' | 'cancelled' | 'error';

/** The few step fields the charts use (a long run has many steps; the state stays small). */
export interface StepPoint {
  globalStep: number;
  epoch: number;
  loss: number;
  lr: number;
}

/** An example image of a confusion cell, loadable by the webview. */
export interface ExampleImage {
  path: string;
  /** asWebviewUri of the path */
  src: string;
}

/** An epoch as the view shows it: the EpochRecord with example images the webview can load. */
export interface EpochView extends Omit<EpochRecord, 'type' | 'examples'> {
  examples: { actual: number; predicted: number; images: ExampleImage[] }[];
}

/** What was done to a validation image from the view (Move to Class, Exclude), until undone. */
export interface ImageEdit {
  kind: 'move' | 'exclude';
  /** where the file is now, and a URI the webview may load */
  to: string;
  src: string;
  /** move: the class folder it went to */
  className?: string;
}

/** A validation image of an epoch (val-<epoch>.json) as the gallery and Top losses show it. */
export interface GalleryImage extends Omit<ValidationImage, 'path'> {
  /** absolute path the run validated */
  path: string;
  /** asWebviewUri of the path */
  src: string;
  edit?: ImageEdit;
}

/** The host's answer to getValidation: the epoch's images, or why there are none. */
export type ValidationAnswer = { epoch: number; images: GalleryImage[] } | { epoch: number; unavailable: string };

/** The confusion cell whose images the gallery shows. */
export interface GalleryCell {
  actual: number;
  predicted: number;
}

export interface LiveProgress {
  epoch: number;
  totalEpochs: number;
  step: number;
  stepsPerEpoch: number;
  imagesPerSec: number;
  etaSeconds: number | null;
}

/** The probe image's latest result (probe-<epoch>.json) with a URI the webview may load. */
export interface ProbeView extends ProbeRecordFile {
  /** the image as a data: URI (it may lie outside the folders the webview can read) */
  src: string;
}

export interface RunView {
  runDir: string;
  name: string;
  config: RunConfigFile;
  status: RunStatus;
  /** error or cancellation details */
  message?: string;
  steps: StepPoint[];
  epochs: EpochView[];
  progress?: LiveProgress;
  /** best.safetensors exists: the model can be used for classification */
  hasBest: boolean;
  /** whether this window is running it (the view offers Cancel) */
  live: boolean;
  /** the probe image chosen (probe.json), and its latest epoch's top-5 and Grad-CAM */
  probeImage?: string;
  probe?: ProbeView;
}

/** An epoch of a compared run: only what its dashed curves draw. */
export interface ComparisonEpoch {
  epoch: number;
  trainLoss: number;
  trainAcc: number;
  valLoss: number | null;
  valAcc: number | null;
}

/** Another run whose epoch curves are drawn dashed over this one's (Compare with Run…). */
export interface ComparisonRun {
  runDir: string;
  name: string;
  epochs: ComparisonEpoch[];
}

export type HostToWebview =
  /** the whole run (on load, and after a resume) */
  | { type: 'snapshot'; view: RunView }
  | { type: 'step'; step: StepPoint; progress: LiveProgress }
  | { type: 'epoch'; epoch: EpochView; hasBest: boolean }
  | { type: 'status'; status: RunStatus; message?: string; hasBest: boolean; live: boolean }
  | ({ type: 'validation' } & ValidationAnswer)
  /** an image was moved, excluded (edit) or put back (edit null) */
  | { type: 'imageEdit'; path: string; edit: ImageEdit | null }
  /** the run picked by Compare with Run… */
  | { type: 'comparison'; run: ComparisonRun }
  /** the probe image was chosen (probe null until an epoch computes it), or an epoch computed it */
  | { type: 'probe'; image: string; probe: ProbeView | null };

export type WebviewToHost =
  | { type: 'ready' }
  | { type: 'useModel' }
  | { type: 'resume' }
  | { type: 'cancel' }
  | { type: 'revealRun' }
  | { type: 'openImage'; path: string }
  /** the epoch's per-image validation results (answer: 'validation') */
  | { type: 'getValidation'; epoch: number }
  /** path: as the run recorded it; the host asks for the class */
  | { type: 'moveImage'; path: string }
  | { type: 'excludeImage'; path: string }
  | { type: 'undoEdit'; path: string }
  /** Train on Folder again on this run's dataset */
  | { type: 'retrain' }
  /** Compare with Run…: the host asks which run (answer: 'comparison') */
  | { type: 'pickComparison' }
  /** Choose Probe Image…: the host asks for an image and writes probe.json (answer: 'probe') */
  | { type: 'chooseProbe' };

/** What the webview keeps across hide/show (getState) and window reloads (the serializer). */
export interface TrainingWebviewState {
  view?: RunView;
  /** confusion matrix shown as row-normalised fractions instead of counts */
  normalised?: boolean;
  /** the epoch whose confusion matrix is shown; undefined = the latest */
  confusionEpoch?: number;
  /** the cell whose images the gallery under the matrix shows; undefined = closed */
  galleryCell?: GalleryCell;
  /** the step loss's smoothing weight in [0, 0.99]; undefined = the default */
  smoothing?: number;
  /** the run drawn dashed for comparison; undefined = none */
  comparison?: ComparisonRun;
  /** the Grad-CAM's opacity over the probe image in [0, 1]; undefined = the default */
  probeOpacity?: number;
}

export function stepPoint(s: Pick<StepRecord, 'globalStep' | 'epoch' | 'loss' | 'lr'>): StepPoint {
  return { globalStep: s.globalStep, epoch: s.epoch, loss: s.loss, lr: s.lr };
}

/** The augmentations a run uses, in words (the train form on the host and the run's settings on the page). */
export function augmentLabel(a: AugmentConfig, mode?: TrainMode): string {
  // Frozen and probe modes train on cached features: a fixed set of crops, and no colour noise.
  const frozen = mode === 'frozen' || mode === 'probe';
  const on = [a.crop && (frozen ? '5 fixed crops' : 'random crops'), a.flip && 'flips', a.pca && !frozen && 'PCA colour'].filter(Boolean);
  return (on.length ? on.join(', ') : 'off') + (frozen && a.pca ? ` (PCA colour: off in ${mode} mode)` : '');
}

/**
 * The plateau rule in words. Patience 0 turns it off: the lr is never divided, so it stays
 * constant (after the warm-up, when there is one); "0 epochs" read as "divide at once".
 */
export function patienceLabel(patience: number, warmupSteps?: number): string {
  if (patience > 0) return `${patience} epoch${patience === 1 ? '' : 's'} (then lr / 10)`;
  return warmupSteps ? 'off (constant lr after the warm-up)' : 'off (constant lr)';
}

/** The panel's and the page's messages and the page's saved state (SingletonPanel, bootWebview). */
export type TrainingProtocol = WebviewProtocol<HostToWebview, WebviewToHost, TrainingWebviewState>;
