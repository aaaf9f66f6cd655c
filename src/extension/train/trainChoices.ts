// The choices of the "Train on Folder" form: a recipe (preset) and its values, what was used last
// time, and their checks. No `vscode` import, so the defaults and validation are unit-tested.
import { VARIANTS, type VariantName } from '../../protocol/engine/model';
import { resolveTrainConfig } from '../../engine/train/config';
import { applyPreset, defaultPreset, PRESET_NAMES, PRESETS } from '../../engine/train/presets';
import type { PresetName, TrainConfig, TrainConfigInput, TrainMode } from '../../protocol/engine/train';
import { augmentLabel, patienceLabel } from '../../protocol/webview/training';

/** Where the starting weights come from: the classifier's current weights, or the paper's random init. */
export type WeightsChoice = 'current' | 'random';

/** The engine's TrainConfig fields the form asks for, with the weights as a choice rather than a path. */
export type TrainChoices = Pick<
  TrainConfig,
  'mode' | 'variant' | 'epochs' | 'batchSize' | 'lr' | 'momentum' | 'weightDecay' | 'patience' | 'earlyStop' | 'valFraction' | 'augment'
  | 'optimizer' | 'init' | 'clipGradNorm' | 'warmupSteps'
> & { weights: WeightsChoice; preset: PresetName; lrFind: boolean };

export interface ChoiceContext {
  variant: VariantName;
  hasWeights: boolean;
  valFraction: number;
  /** training images of the scanned folder (the small-data recipe sizes its batch from it) */
  trainCount?: number;
}

/** A preset's values, resolved as the engine resolves them for this folder. */
export function presetChoices(preset: PresetName, opts: ChoiceContext): TrainChoices {
  // the probe's values are shown without weights too (the form refuses to start it without them)
  const weights = opts.hasWeights || preset === 'linear-probe' ? { weights: { kind: 'file' as const, path: '(current)' } } : {};
  const { input } = applyPreset({ preset, variant: opts.variant, ...weights }, opts.trainCount ?? 1e9);
  const c = resolveTrainConfig(input);
  return {
    preset, mode: c.mode, variant: opts.variant, weights: opts.hasWeights && c.mode !== 'scratch' ? 'current' : 'random',
    epochs: c.epochs, batchSize: c.batchSize, lr: c.lr, lrFind: !!c.lrFind, momentum: c.momentum, weightDecay: c.weightDecay,
    patience: c.patience, earlyStop: c.earlyStop, valFraction: opts.valFraction, augment: { ...c.augment },
    optimizer: c.optimizer ?? 'sgd', ...(c.init ? { init: c.init } : {}), clipGradNorm: c.clipGradNorm ?? 0, warmupSteps: c.warmupSteps ?? 0,
  };
}

export function presetLabel(p: PresetName): string {
  return PRESETS[p].label;
}

export type NumericField = 'epochs' | 'batchSize' | 'lr' | 'momentum' | 'weightDecay' | 'patience' | 'earlyStop' | 'valFraction';

/** The engine's starting learning rate for a mode (the paper's 0.01 from scratch, lower for the heads on pretrained features). */
export function defaultLr(mode: TrainMode): number {
  return resolveTrainConfig({ mode, ...(mode === 'probe' ? { weights: { kind: 'file' as const, path: '(current)' } } : {}) }).lr;
}

/** Why these choices cannot start (a probe without pretrained weights), or undefined. */
export function cannotStart(c: TrainChoices, hasWeights: boolean): string | undefined {
  if (c.mode === 'probe' && !(hasWeights && c.weights === 'current')) {
    return `The linear probe trains only fc8 on the fc7 features of pretrained weights, and there are none for ${c.variant}: download them ("AlexNet: Download Pretrained Weights"), load a file, or pick another recipe.`;
  }
  return undefined;
}

/** A new mode; a learning rate still at the old mode's default follows to the new one's. */
export function withMode(c: TrainChoices, mode: TrainMode): TrainChoices {
  return { ...c, mode, lr: c.lr === defaultLr(c.mode) ? defaultLr(mode) : c.lr };
}

export const MODES: { mode: TrainMode; label: string; detail: string }[] = [
  { mode: 'probe', label: 'Linear probe', detail: 'Only fc8 learns, on the fc7 features of the starting weights, computed once (seconds per epoch; needs pretrained weights).' },
  { mode: 'frozen', label: 'Frozen conv layers', detail: 'Only fc6–fc8 learn, on the conv features of the starting weights (fast; the default with pretrained weights).' },
  { mode: 'finetune', label: 'Fine-tune everything', detail: 'Every layer learns, starting from the starting weights.' },
  { mode: 'scratch', label: 'From scratch', detail: "Every layer learns from the paper's random initialisation (needs many images and epochs)." },
];

export interface FieldSpec {
  label: string;
  /** what the field does, shown under the value */
  detail: string;
  integer: boolean;
  min: number;
  /** exclusive upper bound when set */
  below?: number;
  /** the value shown in the form */
  format(v: number): string;
}

export const FIELDS: Record<NumericField, FieldSpec> = {
  epochs: { label: 'Epochs', detail: 'passes over the training images', integer: true, min: 1, format: String },
  batchSize: { label: 'Batch size', detail: 'images per step (the paper: 128)', integer: true, min: 1, format: String },
  lr: { label: 'Learning rate', detail: 'initial; divided by 10 when the validation loss stops improving (the paper: 0.01 from scratch; 0.001 for layers on pretrained features)', integer: false, min: Number.MIN_VALUE, format: String },
  momentum: { label: 'Momentum', detail: 'the paper: 0.9', integer: false, min: 0, below: 1, format: String },
  weightDecay: { label: 'Weight decay', detail: 'the paper: 0.0005', integer: false, min: 0, format: String },
  patience: { label: 'Patience', detail: 'epochs without a better validation loss before the learning rate is divided by 10 (0 = never)', integer: true, min: 0, format: patienceLabel },
  earlyStop: { label: 'Early stop', detail: 'stop after this many epochs without a better validation loss (0 = never)', integer: true, min: 0, format: (v) => (v === 0 ? 'off' : `after ${v} epochs`) },
  valFraction: { label: 'Validation fraction', detail: 'held out per class when the folder has no val/ subfolder', integer: false, min: 0, below: 1, format: (v) => `${+(v * 100).toFixed(2)}%` },
};

/** Parses what was typed for a field; returns the value or a message saying what is wrong. */
export function parseField(field: NumericField, text: string): { value: number } | { error: string } {
  const spec = FIELDS[field];
  const t = text.trim();
  let value = field === 'valFraction' && t.endsWith('%') ? Number(t.slice(0, -1)) / 100 : Number(t);
  if (field === 'valFraction' && !t.endsWith('%') && value >= 1 && value < 100) value /= 100; // "20" means 20%
  if ((field === 'earlyStop' || field === 'patience') && /^(off|no|never)$/i.test(t)) value = 0;
  if (!t || !Number.isFinite(value)) return { error: `${spec.label}: type a number` };
  if (spec.integer && !Number.isInteger(value)) return { error: `${spec.label} must be a whole number` };
  if (value < spec.min || (field === 'lr' && value <= 0)) return { error: `${spec.label} must be ${field === 'lr' ? 'above 0' : `at least ${spec.min}`}` };
  if (spec.below !== undefined && value >= spec.below) return { error: `${spec.label} must be below ${field === 'valFraction' ? '100%' : spec.below}` };
  return { value };
}

/** The default recipe's values: fine-tune with weights, small data from scratch without. */
export function defaultChoices(opts: ChoiceContext): TrainChoices {
  return presetChoices(defaultPreset(opts.hasWeights ? { weights: { kind: 'file', path: '(current)' } } : {}), opts);
}

/** The fields of a stored value that are still valid (settings from an older version are dropped). */
export function sanitizeRemembered(stored: unknown): Partial<TrainChoices> {
  if (!stored || typeof stored !== 'object') return {};
  const s = stored as Record<string, unknown>;
  const out: Partial<TrainChoices> = {};
  // values remembered before recipes existed were the failing old defaults (batch 128, lr 0.01): dropped
  if (!(PRESET_NAMES as readonly unknown[]).includes(s.preset)) {
    if ((VARIANTS as readonly unknown[]).includes(s.variant)) out.variant = s.variant as VariantName;
    if (s.weights === 'current' || s.weights === 'random') out.weights = s.weights;
    return out;
  }
  out.preset = s.preset as PresetName;
  if (typeof s.lrFind === 'boolean') out.lrFind = s.lrFind;
  if (MODES.some((m) => m.mode === s.mode)) out.mode = s.mode as TrainMode;
  if ((VARIANTS as readonly unknown[]).includes(s.variant)) out.variant = s.variant as VariantName;
  if (s.weights === 'current' || s.weights === 'random') out.weights = s.weights;
  for (const f of Object.keys(FIELDS) as NumericField[]) {
    if (f === 'valFraction') continue; // a setting, not remembered here
    const v = s[f];
    if (typeof v === 'number' && 'value' in parseField(f, String(v))) out[f] = v;
  }
  const a = s.augment as Record<string, unknown> | undefined;
  if (a && typeof a === 'object' && ['crop', 'flip', 'pca'].every((k) => typeof a[k] === 'boolean')) {
    out.augment = { crop: !!a.crop, flip: !!a.flip, pca: !!a.pca };
  }
  return out;
}

/**
 * The form's starting values: last time's choices over the paper's. The variant follows the
 * classifier's unless chosen before; without weights, "current" weights fall back to random.
 */
export function initialChoices(remembered: unknown, opts: ChoiceContext): TrainChoices {
  const r = sanitizeRemembered(remembered);
  const base = r.preset ? presetChoices(r.preset, opts) : defaultChoices(opts);
  // the batch of the small-data recipe follows this folder, not last time's
  const { batchSize: _b, ...rest } = r;
  const choices = { ...base, ...(r.preset === 'small-data' ? rest : r), valFraction: opts.valFraction };
  if (!opts.hasWeights) choices.weights = 'random';
  return choices;
}

/** What is worth remembering for next time (the validation fraction is a setting). */
export function rememberable(c: TrainChoices): Omit<TrainChoices, 'valFraction'> {
  const { valFraction: _v, ...rest } = c;
  return rest;
}

/** The engine's config for these choices; `weightsPath` is the classifier's current weights file. */
export function toConfigInput(c: TrainChoices, weightsPath: string | undefined): TrainConfigInput {
  const useWeights = c.mode !== 'scratch' && c.weights === 'current' && !!weightsPath;
  return {
    preset: c.preset,
    variant: c.variant,
    mode: c.mode,
    ...(useWeights && { weights: { kind: 'file' as const, path: weightsPath! } }),
    epochs: c.epochs,
    batchSize: c.batchSize,
    lr: c.lr,
    lrFind: c.lrFind,
    optimizer: c.optimizer,
    ...(c.init ? { init: c.init } : {}),
    clipGradNorm: c.clipGradNorm,
    warmupSteps: c.warmupSteps,
    momentum: c.momentum,
    weightDecay: c.weightDecay,
    patience: c.patience,
    earlyStop: c.earlyStop,
    valFraction: c.valFraction,
    augment: { ...c.augment },
  };
}

export function modeLabel(mode: TrainMode): string {
  return MODES.find((m) => m.mode === mode)?.label ?? mode;
}

// Shared with the training page (which must not import host code).
export { augmentLabel };

/** One line summing the choices up (the Start item's description). */
export function summary(c: TrainChoices, weightsLabel: string): string {
  const start = c.mode === 'scratch' ? `${c.init ?? 'paper'} init` : weightsLabel;
  const lr = c.lrFind ? 'lr finder' : `lr ${c.lr}`;
  return `${presetLabel(c.preset)} · ${modeLabel(c.mode).toLowerCase()} · ${c.variant} · ${start} · ${c.optimizer ?? 'sgd'} · ${c.epochs} epochs · batch ${c.batchSize} · ${lr}`;
}
