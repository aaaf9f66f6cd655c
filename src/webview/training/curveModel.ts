// What the training curves draw, without a DOM (unit-tested): the step loss smoothed by an
// exponential moving average, whether the learning rate changed (its chart is shown only then),
// and a compared run's epoch series.
import type { ComparisonEpoch, EpochView, StepPoint } from '../../protocol/webview/training';

export type XY = { x: number; y: number };

/** The smoothing a fresh view starts with (TensorBoard's default too). */
export const DEFAULT_SMOOTHING = 0.6;
/** Above this the curve lags so far behind the steps that it says nothing. */
export const MAX_SMOOTHING = 0.99;

/** A saved or typed smoothing weight made valid: a number in [0, MAX_SMOOTHING], else the default. */
export function clampSmoothing(v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) return DEFAULT_SMOOTHING;
  return Math.min(MAX_SMOOTHING, Math.max(0, v));
}

/**
 * An exponential moving average fed one value at a time. Debiased (divided by 1 - w^n) so the
 * first points are not pulled toward 0, the way TensorBoard draws it; weight 0 = the raw values.
 * Non-finite values are skipped (a diverged step would poison every later point).
 */
export class Ema {
  private sum = 0;
  private n = 0;
  constructor(readonly weight: number) {}

  push(y: number): number | undefined {
    if (!Number.isFinite(y)) return undefined;
    this.n += 1;
    this.sum = this.weight * this.sum + (1 - this.weight) * y;
    return this.weight === 0 ? y : this.sum / (1 - this.weight ** this.n);
  }
}

/** The smoothed curve of `points` (same x values; non-finite y left out). */
export function smoothEma(points: readonly XY[], weight: number): XY[] {
  const ema = new Ema(clampSmoothing(weight));
  const out: XY[] = [];
  for (const p of points) {
    const y = ema.push(p.y);
    if (y !== undefined) out.push({ x: p.x, y });
  }
  return out;
}

/**
 * Whether the learning rate changed during the run (warm-up, a plateau division): only then is its
 * chart worth a place. Steps first; the epochs' nextLr catches a division announced at the end of
 * an epoch before the next step ran. Relative tolerance: lr values go through JSON and float32.
 */
export function lrChanges(steps: readonly Pick<StepPoint, 'lr'>[], epochs: readonly Pick<EpochView, 'lr' | 'nextLr'>[] = []): boolean {
  const values = [...steps.map((s) => s.lr), ...epochs.flatMap((e) => [e.lr, e.nextLr])].filter((v) => Number.isFinite(v));
  if (!values.length) return false;
  const first = values[0];
  return values.some((v) => Math.abs(v - first) > 1e-6 * Math.max(Math.abs(first), Math.abs(v)));
}

/** The single learning rate of a run whose lr never changed, in words (shown instead of the chart). */
export function constantLrText(steps: readonly Pick<StepPoint, 'lr'>[], configured: number): string {
  const lr = steps.find((s) => Number.isFinite(s.lr))?.lr ?? configured;
  return `Learning rate: ${lr.toExponential(2)} throughout (constant, so no chart).`;
}

type EpochKey = 'trainLoss' | 'valLoss' | 'trainAcc' | 'valAcc';

/** One epoch quantity as points, the epochs without it (no validation set) left out. */
export function epochSeries(epochs: readonly Pick<ComparisonEpoch, 'epoch' | EpochKey>[], key: EpochKey): XY[] {
  const out: XY[] = [];
  for (const e of epochs) {
    const y = e[key];
    if (y !== null && y !== undefined && Number.isFinite(y)) out.push({ x: e.epoch, y });
  }
  return out;
}
