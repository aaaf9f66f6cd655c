// Training defaults (the paper's where it gives them) and validation of a requested config.
import { VARIANTS } from '../model/spec';
import type { TrainConfig, TrainConfigInput } from '../../protocol/engine/train';

/** The learning rate of a step (1-based global step) after the linear warm-up. */
export function warmupLr(config: TrainConfig, lr: number, globalStep: number): number {
  const n = config.warmupSteps ?? 0;
  return n > 0 && globalStep < n ? (lr * globalStep) / n : lr;
}

export class TrainConfigError extends Error {
  readonly code = 'bad-input';
}

export function resolveTrainConfig(input: TrainConfigInput): TrainConfig {
  const weights = input.weights;
  const mode = input.mode ?? (weights ? 'frozen' : 'scratch');
  const cfg: TrainConfig = {
    variant: input.variant ?? 'torchvision',
    mode,
    ...(weights ? { weights } : {}),
    epochs: input.epochs ?? 10,
    batchSize: input.batchSize ?? 128,
    // The paper's 0.01 is for training from scratch; fine-tuning on pool5 features (all ~O(1), so
    // |x|^2 is in the thousands) diverges with it, so the heads start at 0.001 (as torchvision's tutorial).
    lr: input.lr ?? (mode === 'scratch' ? 0.01 : 0.001),
    momentum: input.momentum ?? 0.9,
    weightDecay: input.weightDecay ?? 0.0005,
    patience: input.patience ?? 3,
    earlyStop: input.earlyStop ?? 0,
    valFraction: input.valFraction ?? 0.2,
    seed: input.seed ?? 42,
    // frozen and probe runs cache each crop's features once, so colour noise cannot apply: recorded as off
    augment: { crop: true, flip: true, pca: true, ...(input.augment ?? {}), ...(mode === 'frozen' || mode === 'probe' ? { pca: false } : {}) },
    optimizer: input.optimizer ?? 'sgd',
    ...(input.optimizer === 'adam' || input.adamBetas ? { adamBetas: input.adamBetas ?? [0.9, 0.999], adamEps: input.adamEps ?? 1e-8 } : {}),
    clipGradNorm: input.clipGradNorm ?? 0,
    warmupSteps: input.warmupSteps ?? 0,
    ...(input.preset ? { preset: input.preset } : {}),
    ...(mode === 'scratch' ? { init: input.init ?? 'paper' } : {}),
    ...(input.lrFind ? { lrFind: true } : {}),
    ...(input.convChannels ? { convChannels: input.convChannels } : {}),
    ...(input.fcUnits ? { fcUnits: input.fcUnits } : {}),
  };
  const bad = (m: string) => {
    throw new TrainConfigError(m);
  };
  if (!VARIANTS.includes(cfg.variant)) bad(`unknown variant '${cfg.variant}' (${VARIANTS.join(', ')})`);
  if (!['frozen', 'probe', 'finetune', 'scratch'].includes(cfg.mode)) bad(`unknown mode '${cfg.mode}' (frozen, probe, finetune, scratch)`);
  if (cfg.mode === 'probe' && !cfg.weights) bad('probe mode trains only fc8 on the fc7 features of pretrained weights: give a weights file');
  if (!(Number.isInteger(cfg.epochs) && cfg.epochs > 0)) bad('epochs must be a positive integer');
  if (!(Number.isInteger(cfg.batchSize) && cfg.batchSize > 0)) bad('batchSize must be a positive integer');
  if (!(cfg.lr > 0)) bad('lr must be positive');
  if (!(cfg.momentum >= 0 && cfg.momentum < 1)) bad('momentum must be in [0, 1)');
  if (!(cfg.weightDecay >= 0)) bad('weightDecay must be >= 0');
  if (!(Number.isInteger(cfg.patience) && cfg.patience >= 0)) bad('patience must be a non-negative integer (0 = the lr is never divided)');
  if (!(Number.isInteger(cfg.earlyStop) && cfg.earlyStop >= 0)) bad('earlyStop must be a non-negative integer (0 = off)');
  if (!(cfg.valFraction >= 0 && cfg.valFraction < 1)) bad('valFraction must be in [0, 1)');
  if (!Number.isInteger(cfg.seed)) bad('seed must be an integer');
  if (cfg.optimizer !== 'sgd' && cfg.optimizer !== 'adam') bad(`unknown optimizer '${cfg.optimizer}' (sgd, adam)`);
  if (cfg.adamBetas && !cfg.adamBetas.every((b) => b >= 0 && b < 1)) bad('adamBetas must be two numbers in [0, 1)');
  if (cfg.adamEps !== undefined && !(cfg.adamEps > 0)) bad('adamEps must be positive');
  if (!(cfg.clipGradNorm! >= 0)) bad('clipGradNorm must be >= 0 (0 = off)');
  if (!(Number.isInteger(cfg.warmupSteps) && cfg.warmupSteps! >= 0)) bad('warmupSteps must be a non-negative integer (0 = off)');
  if (cfg.init !== undefined && !['paper', 'pytorch', 'he'].includes(cfg.init)) bad(`unknown init '${cfg.init}' (paper, pytorch, he)`);
  return cfg;
}
