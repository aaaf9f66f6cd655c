// Training requests and their events (owned by the training feature).
//
// Flow for the UI: `scanDataset` (show the summary, ask to continue) -> `train` (events below
// stream while it runs; cancel through the request's AbortSignal) -> `resumeTraining` to continue
// a cancelled/crashed one. The host reads run folders back itself (engine/train/runFiles.ts).
import type { VariantName } from './model';
import type { LogEvent, ProgressEvent } from './events';
import type { DeviceId, DevicePreference } from './device';

/** A dataset's validation folder next to train/: the first of these that exists (the scan, Move to Class). */
export const VAL_FOLDER_NAMES: readonly string[] = ['val', 'valid', 'validation'];

export type TrainMode =
  /** conv layers frozen, only fc6..fc8 learn (on pool5 features); the default when weights are given */
  | 'frozen'
  /** a linear probe: only fc8 learns, on fc7 features (after its ReLU) of the given weights, computed once; needs weights */
  | 'probe'
  /** every layer learns, starting from the given weights */
  | 'finetune'
  /** every layer learns from the paper's random initialisation */
  | 'scratch';

export type OptimizerName = 'sgd' | 'adam';

/** Named recipes (src/engine/train/presets.ts); the default is 'fine-tune' with weights, else 'small-data'. */
export type PresetName = 'small-data' | 'paper' | 'fine-tune' | 'linear-probe';

/** Scratch-mode initialisation: the paper's N(0, 0.01) with biases of 1, PyTorch's default (kaiming-uniform a=sqrt(5)), or He normal. */
export type InitName = 'paper' | 'pytorch' | 'he';

export interface AugmentConfig {
  /** random crops of the 256-resized image (else the centre crop) */
  crop: boolean;
  /** random horizontal flips */
  flip: boolean;
  /** the paper's PCA colour augmentation */
  pca: boolean;
}

export interface TrainConfig {
  variant: VariantName;
  mode: TrainMode;
  /** starting weights (frozen/finetune); ignored in scratch mode. Without them, frozen/finetune start from random conv weights. */
  weights?: { kind: 'file'; path: string };
  epochs: number;
  batchSize: number;
  /** initial learning rate (default 0.01 in scratch mode, 0.001 in frozen/finetune) */
  lr: number;
  momentum: number;
  weightDecay: number;
  /** divide lr by 10 after this many epochs without a new best validation loss; 0 = never (constant lr) */
  patience: number;
  /** stop after this many epochs without a new best validation loss; 0 = never */
  earlyStop: number;
  /** held-out fraction per class when the folder has no val/ subfolder */
  valFraction: number;
  seed: number;
  augment: AugmentConfig;
  /**
   * 'sgd' (PyTorch's SGD: momentum, weight decay, dampening 0; the default) or 'adam' (torch.optim.Adam
   * with L2 weight decay). Optional in files written before these fields existed (= sgd).
   */
  optimizer?: OptimizerName;
  /** Adam's beta1, beta2 (default 0.9, 0.999) */
  adamBetas?: [number, number];
  /** Adam's epsilon (default 1e-8) */
  adamEps?: number;
  /** clip the global gradient L2 norm to this before each update (torch.nn.utils.clip_grad_norm_); 0 = off (default) */
  clipGradNorm?: number;
  /** linear learning-rate warm-up over the first N steps (lr x step/N); 0 = off (default) */
  warmupSteps?: number;
  /** the recipe this config came from (absent in files written before presets existed) */
  preset?: PresetName;
  /** scratch-mode initialisation (default 'paper') */
  init?: InitName;
  /** run a learning-rate finder before training and use its pick instead of `lr` */
  lrFind?: boolean;
  /** test/experiment only: a channel-reduced network (same spatial sizes) */
  convChannels?: [number, number, number, number, number];
  /** test/experiment only: fc6/fc7 widths */
  fcUnits?: [number, number];
}

export type TrainConfigInput = Partial<Omit<TrainConfig, 'augment'>> & { augment?: Partial<AugmentConfig> };

export interface SkippedFile {
  path: string;
  /** ImageDecodeError code ('not-an-image', 'truncated', 'corrupt', ...) or 'not-in-class-folder' */
  code: string;
  reason: string;
}

export interface ClassSummary {
  name: string;
  train: number;
  val: number;
}

export interface DatasetSummary {
  folder: string;
  /** 'split-folders': folder has train/ (and val/); 'class-folders': class-per-subfolder, val held out */
  layout: 'split-folders' | 'class-folders';
  classes: ClassSummary[];
  trainCount: number;
  valCount: number;
  /** files that are not images or cannot be read (skipped, never fatal) */
  skipped: SkippedFile[];
  /** class folders without a usable training image: not classes */
  emptyClasses: string[];
  /** classes with 0 or 1 usable images (cannot be learnt / validated) */
  smallClasses: { name: string; images: number }[];
  /** val/ class folders that do not exist in train/ (their images are ignored) */
  unknownValClasses: string[];
  /** human-readable problems; empty when the dataset is fine to train on */
  warnings: string[];
  /** false when training cannot start (fewer than 2 classes with images) */
  trainable: boolean;
}

/** One line per training step in metrics.jsonl, and the 'trainStep' event. */
export interface StepRecord {
  type: 'step';
  /** 1-based epoch */
  epoch: number;
  /** 1-based step within the epoch */
  step: number;
  stepsPerEpoch: number;
  /** 1-based step over the whole run (continuous across resumes) */
  globalStep: number;
  /** mean cross-entropy of this batch */
  loss: number;
  /** training accuracy of this batch (dropout on) */
  acc: number;
  lr: number;
  batchSize: number;
  /** batch / step wall time (waiting for data included) */
  imagesPerSec: number;
  /** time spent waiting for the prefetch queue before this step */
  waitMs: number;
  /** forward + backward + update time */
  computeMs: number;
  /** ms since the Unix epoch */
  time: number;
}

export interface ConfusionExample {
  /** true class index */
  actual: number;
  predicted: number;
  /** up to a few image paths that fell in this cell */
  paths: string[];
}

/** One validation image of an epoch, as val-<epoch>.json keeps it (the gallery and Top losses read it). */
export interface ValidationImage {
  /** relative to the dataset folder */
  path: string;
  /** true class index */
  actual: number;
  predicted: number;
  /** cross-entropy of this image: -ln p(actual) */
  loss: number;
  /** p(actual), also when the true class is not among `top` */
  pActual: number;
  /** the most probable classes, highest first: [class index, probability] */
  top: [number, number][];
}

/** val-<epoch>.json in the run folder: every validation image of one epoch (kept for the best and the last epoch). */
export interface ValidationRecordFile {
  version: 1;
  epoch: number;
  /** the dataset folder the paths are relative to */
  folder: string;
  classNames: string[];
  images: ValidationImage[];
}

/** One line per epoch in metrics.jsonl, and the 'trainEpoch' event. */
export interface EpochRecord {
  type: 'epoch';
  epoch: number;
  /** globalStep of the epoch's last step */
  globalStep: number;
  trainLoss: number;
  trainAcc: number;
  /** null when there is no validation set */
  valLoss: number | null;
  valAcc: number | null;
  /** lr used during this epoch */
  lr: number;
  /** lr for the next epoch (after the plateau rule) */
  nextLr: number;
  /** confusion[actual][predicted] counts over the validation set (sums to its size) */
  confusion: number[][];
  /** per class, in class order; null where undefined (no predictions / no examples) */
  precision: (number | null)[];
  recall: (number | null)[];
  /** a few example paths per non-empty confusion cell */
  examples: ConfusionExample[];
  /** images that failed to decode during this epoch (skipped) */
  skipped: SkippedFile[];
  /** whether this epoch's model became best.safetensors */
  best: boolean;
  trainImages: number;
  valImages: number;
  seconds: number;
  time: number;
}

export type MetricsRecord = StepRecord | EpochRecord;

/** The resolved config and facts about the run, written as config.json. */
export interface RunConfigFile {
  version: 1;
  folder: string;
  config: TrainConfig;
  classNames: string[];
  trainCount: number;
  valCount: number;
  stepsPerEpoch: number;
  layout: DatasetSummary['layout'];
  createdAt: string;
  /** what the preset resolution told the user (a batch larger than the training set, PCA off, ...) */
  notes?: string[];
  /** the learning-rate finder's sweep and pick, when it ran (config.lr is then the pick) */
  lrFinder?: LrFinderResult;
  /** where ONNX Runtime ran the steps (the last start or resume; absent when tfjs ran them) */
  device?: TrainDeviceRecord;
  /**
   * frozen and probe runs with a weights file: the file their frozen layers come from. Their
   * checkpoint and best.safetensors hold only the trained layers; loading them rebuilds the rest
   * from this file, after checking its SHA-256.
   */
  baseWeights?: BaseWeightsRef;
}

/** A weights file a partial model (only its trained layers) is completed from. */
export interface BaseWeightsRef {
  path: string;
  sha256: string;
  size: number;
  /** how the trainer loaded it: a variant name, or 'auto' (the file's own widths) */
  loadAs: string;
}

/** What a run's steps ran on, as config.json, the training view and the CLI report it. */
export interface TrainDeviceRecord {
  id: DeviceId;
  /** e.g. "WebGPU (llvmpipe (LLVM 15.0.6, 256 bits), software)" or "CPU" */
  label: string;
  /** what was asked for (alexnet.device, --device) */
  preference: DevicePreference;
  /** why the steps are not on the device the engine chose (its training session failed); absent when they are */
  reason?: string;
  /** better devices passed over, one line each ("CUDA not used: ...") */
  notUsed?: string[];
}

export interface LrFinderResult {
  /** the lr training used */
  lr: number;
  /** why that lr (the rule applied to the sweep) */
  rule: string;
  /** (lr, smoothed loss) per sweep step */
  trace: [number, number][];
  seconds: number;
}

export interface TrainResult {
  runDir: string;
  /** best validation accuracy (null when there is no validation set) */
  bestValAcc: number | null;
  /** epochs finished in total (including those before a resume) */
  epochs: number;
  cancelled: boolean;
  earlyStopped: boolean;
  /** path of best.safetensors (absent when no epoch finished) */
  bestPath?: string;
  /** the epoch best.safetensors holds (highest validation accuracy, ties: lower validation loss) */
  bestEpoch?: number;
  bestValLoss?: number | null;
  /** wall time of this call (a resume counts its own time) */
  seconds?: number;
  /** where ONNX Runtime ran the steps (absent when tfjs ran them) */
  device?: TrainDeviceRecord;
}

export interface RunState {
  /** epochs finished and checkpointed */
  epochsDone: number;
  globalStep: number;
  lr: number;
  bestValAcc: number | null;
  finished: boolean;
}

export interface OpenRunResult {
  runDir: string;
  config: RunConfigFile;
  steps: StepRecord[];
  epochs: EpochRecord[];
  /** from the last checkpoint; null when none was written yet */
  state: RunState | null;
  bestPath?: string;
}

/** 'trainStart': sent once when training (or a resume) begins. */
export interface TrainStartEvent {
  kind: 'trainStart';
  runDir: string;
  config: RunConfigFile;
  /** epoch the run starts at (1 for a new run) */
  startEpoch: number;
  startGlobalStep: number;
  totalSteps: number;
  resumed: boolean;
}
/** 'trainStep': after every step; the same fields as the metrics.jsonl line plus kind/runDir/totalSteps/etaSeconds. */
export type TrainStepEvent = Omit<StepRecord, 'type'> & { kind: 'trainStep'; runDir: string; totalSteps: number; etaSeconds: number | null };
/** 'trainEpoch': after every epoch, once its checkpoint (and best file) are in place; it may come while the next epoch's steps run. */
export type TrainEpochEvent = Omit<EpochRecord, 'type'> & { kind: 'trainEpoch'; runDir: string; totalEpochs: number };
/** probe.json in a run folder: the image the user chose to watch (the training view writes it, the trainer reads it each epoch). */
export interface ProbeRequestFile {
  version: 1;
  /** absolute path of an image file */
  image: string;
}
/** probe-<epoch>.json: the probe image's top-5 and Grad-CAM with that epoch's weights. */
export interface ProbeRecordFile {
  version: 1;
  epoch: number;
  image: string;
  classNames: string[];
  /** [class index, probability], most probable first (at most 5) */
  top: [number, number][];
  /** the class the heatmap explains (the top-1) */
  classIndex: number;
  /** the Grad-CAM layer */
  layer: string;
  height: number;
  width: number;
  /** height*width values in [0,1], row-major over the centre crop */
  heatmap: number[];
  /** the centre crop's side over the image's shorter side (inputSize / resizeTo) */
  cropFraction: number;
  /** where the heatmap came from */
  runtime: 'onnx' | 'tfjs';
}
/** 'trainProbe': after an epoch's validation, when the run folder names a probe image (it may come before that epoch's trainEpoch). */
export type TrainProbeEvent = ProbeRecordFile & { kind: 'trainProbe'; runDir: string };
export type TrainEvent = TrainStartEvent | TrainStepEvent | TrainEpochEvent | TrainProbeEvent;
/** Where a run may keep what outlives it (the host's global storage). */
export interface TrainStorage {
  /** probe runs' cached fc7 features (default: $XDG_CACHE_HOME or ~/.cache, /alexnet-explorer/train-features) */
  featureCacheDir?: string;
}

/** What a train or resumeTraining request sends while it runs. */
export type TrainRequestEvent = TrainEvent | ProgressEvent | LogEvent;

export interface TrainRequests {
  /** Lists classes/images, the split and problems; reads only file headers. */
  scanDataset: { params: { folder: string; valFraction?: number; seed?: number }; result: DatasetSummary; event: never };
  /**
   * Trains in a new run folder under runsRoot; warnings come as 'log' events. Cancel returns cancelled: true.
   * probeImage: an image to watch from the first epoch (the run's probe.json; the view can change it).
   */
  train: { params: { folder: string; runsRoot: string; config: TrainConfigInput; probeImage?: string } & TrainStorage; result: TrainResult; event: TrainRequestEvent };
  /** Continues a run from its last checkpoint (same folder, same metrics.jsonl). */
  resumeTraining: { params: { runDir: string; epochs?: number } & TrainStorage; result: TrainResult; event: TrainRequestEvent };
}
