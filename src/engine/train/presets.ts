// Named training recipes (issue 13). A preset fills in what the user did not set; anything the user
// sets wins. `applyPreset` runs after the folder scan, because the small-data recipe sizes the batch
// and the warm-up from the number of training images.
import type { PresetName, TrainConfigInput } from '../../protocol/engine/train';

export const PRESET_NAMES: readonly PresetName[] = ['small-data', 'paper', 'fine-tune', 'linear-probe'];

export interface PresetInfo {
  name: PresetName;
  label: string;
  description: string;
}

export const PRESETS: Record<PresetName, PresetInfo> = {
  'small-data': {
    name: 'small-data',
    label: 'Small data from scratch',
    description: 'Adam, PyTorch default init, lr from a learning-rate finder, 1-epoch warm-up then a constant lr, gradient clipping 1.0, batch ~1/4 of the images (8..32), up to 50 epochs, early stop after 10 without a better validation loss',
  },
  paper: {
    name: 'paper',
    label: 'Paper (2012)',
    description: "the paper's recipe: batch 128, SGD momentum 0.9, weight decay 5e-4, lr 0.01 / 10 on plateau, N(0, 0.01) init, dropout 0.5, crops, flips, PCA colour",
  },
  'fine-tune': {
    name: 'fine-tune',
    label: 'Transfer: fine-tune',
    description: 'fc6..fc8 learn on cached conv features of the given weights (SGD momentum 0.9, lr 0.001)',
  },
  'linear-probe': {
    name: 'linear-probe',
    label: 'Transfer: linear probe',
    description: 'only fc8 learns, on fc7 features of the given weights computed once (centre crop, no dropout): Adam lr 0.001, weight decay 1e-4, up to 30 epochs, early stop after 5; seconds per epoch',
  },
};

/**
 * The linear probe is logistic regression on fixed fc7 vectors (4096 ReLU outputs whose scale
 * depends on the weights file): Adam's per-weight step makes lr 1e-3 work whatever that scale, where
 * SGD's good lr moves with it. A constant lr (patience 0) and an early stop after 5 epochs without a
 * better validation loss: the problem is convex, so once the loss stops falling more epochs only
 * overfit. Small weight decay (1e-4) because 4096 x classes weights on a few hundred images overfit
 * easily. No augmentation: every epoch sees the same features, computed once.
 */
export const LINEAR_PROBE_EPOCHS = 30;
export const LINEAR_PROBE_EARLY_STOP = 5;

/** The preset used when none is named: fine-tune with weights, small data from scratch without. */
export function defaultPreset(input: TrainConfigInput): PresetName {
  if (input.mode === 'scratch') return 'small-data';
  if (input.mode === 'probe') return 'linear-probe';
  return input.weights ? 'fine-tune' : 'small-data';
}

/**
 * Small data keeps Adam's lr constant after the warm-up (patience 0) and stops after this many epochs
 * without a better validation loss. On a few validation images that loss swings by 2x from epoch to
 * epoch while the model still learns: the earlier plateau rule (lr / 10 after 4 such epochs, stop
 * after 8) cut the sample shapes run to lr 3e-6 by epoch 20 at 83%, where PyTorch with a constant lr
 * went on to 100%.
 */
export const SMALL_DATA_EARLY_STOP = 10;
export const SMALL_DATA_EPOCHS = 50;

/** Largest batch of the small-data recipe. */
export const SMALL_DATA_MAX_BATCH = 32;

/**
 * The small-data batch: about 4 steps per epoch, 8..32, never more than the training images (with
 * 30 images a batch of 30 is one Adam step per epoch, which learns far slower than 4 steps of 8).
 */
export function smallDataBatch(trainCount: number): number {
  return Math.max(1, Math.min(trainCount, SMALL_DATA_MAX_BATCH, Math.max(8, Math.ceil(trainCount / 4))));
}

export interface PresetApplied {
  input: TrainConfigInput;
  /** what the user should know (a batch larger than the training set, ...) */
  notes: string[];
}

/**
 * The preset's values under the user's. `trainCount` is the number of training images: the batch
 * never exceeds it (one step per epoch over a too-large batch is what made the old default fail).
 */
export function applyPreset(input: TrainConfigInput, trainCount: number): PresetApplied {
  const name = input.preset ?? defaultPreset(input);
  if (!PRESET_NAMES.includes(name)) {
    throw Object.assign(new Error(`unknown preset '${String(name)}' (${PRESET_NAMES.join(', ')})`), { code: 'bad-input' });
  }
  if (name === 'linear-probe' && !input.weights) {
    throw Object.assign(new Error('the linear probe trains only fc8 on the fc7 features of pretrained weights: give a weights file (Load Weights from File, or --weights FILE)'), { code: 'bad-input' });
  }
  const notes: string[] = [];
  let base: TrainConfigInput;
  switch (name) {
    case 'paper':
      base = {
        mode: 'scratch', init: 'paper', optimizer: 'sgd', batchSize: 128, lr: 0.01, lrFind: false, momentum: 0.9, weightDecay: 0.0005,
        patience: 3, earlyStop: 0, clipGradNorm: 0, warmupSteps: 0, augment: { crop: true, flip: true, pca: true },
      };
      break;
    case 'small-data': {
      const batch = smallDataBatch(trainCount);
      const stepsPerEpoch = Math.ceil(trainCount / (input.batchSize ?? batch));
      base = {
        mode: 'scratch', init: 'pytorch', optimizer: 'adam', weightDecay: 0, batchSize: batch, lrFind: input.lr === undefined,
        lr: 1e-4, clipGradNorm: 1, warmupSteps: Math.max(5, stepsPerEpoch), patience: 0, earlyStop: SMALL_DATA_EARLY_STOP, epochs: SMALL_DATA_EPOCHS,
        augment: { crop: true, flip: true, pca: false },
      };
      break;
    }
    case 'linear-probe':
      base = {
        mode: 'probe', optimizer: 'adam', lr: 1e-3, lrFind: false, weightDecay: 1e-4, batchSize: smallDataBatch(trainCount), patience: 0,
        earlyStop: LINEAR_PROBE_EARLY_STOP, epochs: LINEAR_PROBE_EPOCHS, clipGradNorm: 0, warmupSteps: 0, augment: { crop: false, flip: false, pca: false },
      };
      break;
    case 'fine-tune':
      base = { mode: 'frozen', optimizer: 'sgd', batchSize: 32, lr: 0.001, momentum: 0.9, weightDecay: 0.0005, earlyStop: 5, augment: { crop: true, flip: true, pca: false } };
      break;
  }
  const merged: TrainConfigInput = { ...base, ...stripUndefined(input), preset: name, augment: { ...base.augment, ...(input.augment ?? {}) } };
  if (merged.batchSize !== undefined && trainCount > 0 && merged.batchSize > trainCount) {
    notes.push(`batch size ${merged.batchSize} is larger than the ${trainCount} training images: each epoch is one step of ${trainCount}`);
  }
  // PCA colour noise changes the conv features of a crop, which frozen/probe runs compute once: off there
  if (merged.mode === 'frozen' || merged.mode === 'probe') {
    if (input.augment?.pca) notes.push(`PCA colour augmentation is off in ${merged.mode} mode: the conv features of each crop are computed once and cached`);
    merged.augment = { ...merged.augment, pca: false };
  }
  return { input: merged, notes };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
