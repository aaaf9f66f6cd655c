// Which epoch is best, and the learning-rate finder's pick: small pure rules the trainer applies.

/** An epoch's validation result as the best-epoch rule sees it. */
export interface EpochScore {
  valAcc: number | null;
  valLoss: number | null;
}

/**
 * Whether `cand` beats `best`: higher validation accuracy, ties broken by lower validation loss
 * (on a small validation set many epochs tie on accuracy; the first of them is rarely the best).
 * Without validation, the lower training-side monitor (passed as valLoss) decides.
 */
export function isBetterEpoch(cand: EpochScore, best: EpochScore | null): boolean {
  if (!best) return true;
  if (cand.valAcc !== null && best.valAcc !== null && cand.valAcc !== best.valAcc) return cand.valAcc > best.valAcc;
  if (cand.valLoss === null || !Number.isFinite(cand.valLoss)) return false;
  return best.valLoss === null || !Number.isFinite(best.valLoss) || cand.valLoss < best.valLoss - 1e-7;
}

/** What the plateau rule and early stop keep between epochs (part of the checkpoint state). */
export interface PlateauState {
  lr: number;
  /** lowest monitored loss so far */
  bestMonitor: number | null;
  /** epochs since the monitored loss improved or lr was last cut */
  sinceImprovement: number;
  /** epochs since the monitored loss improved (early stop counts these) */
  sinceBest: number;
  lrDrops: number;
}

/**
 * One epoch of the plateau rule: a better monitored loss resets the counters; otherwise, after
 * `patience` such epochs, lr / 10. Patience 0: the lr is never divided (the small-data recipe's constant lr).
 */
export function plateauStep(s: PlateauState, monitor: number, patience: number): PlateauState {
  if (s.bestMonitor === null || monitor < s.bestMonitor - 1e-7) return { ...s, bestMonitor: monitor, sinceImprovement: 0, sinceBest: 0 };
  const next = { ...s, sinceImprovement: s.sinceImprovement + 1, sinceBest: s.sinceBest + 1 };
  if (patience > 0 && next.sinceImprovement >= patience) return { ...next, lr: next.lr / 10, lrDrops: next.lrDrops + 1, sinceImprovement: 0 };
  return next;
}

/** The learning rates of a finder sweep: exponential from `start` to `end` over `steps`. */
export function finderLrs(start: number, end: number, steps: number): number[] {
  const mult = (end / start) ** (1 / Math.max(1, steps - 1));
  return Array.from({ length: steps }, (_, i) => start * mult ** i);
}

/** Exponential smoothing with bias correction (fastai's lr_find uses the same, beta 0.98 over 100 steps). */
export function smoothLosses(losses: number[], beta = 0.7): number[] {
  let avg = 0;
  return losses.map((l, i) => {
    avg = beta * avg + (1 - beta) * l;
    return avg / (1 - beta ** (i + 1));
  });
}

/** When the sweep should stop: the smoothed loss is not finite or above 4x its minimum so far. */
export function finderDiverged(smoothed: number[]): boolean {
  const last = smoothed[smoothed.length - 1];
  if (!Number.isFinite(last)) return true;
  return smoothed.length > 4 && last > 4 * Math.min(...smoothed.slice(0, -1));
}

/**
 * The pick: a tenth of the lr where the smoothed loss first rose 25% above its lowest value before
 * (the classic "an order of magnitude below where it blows up"); if it never rose, a tenth of the
 * largest lr tried. Clamped to [minLr, maxLr] (see finderRange).
 */
export function pickFinderLr(lrs: number[], smoothed: number[], minLr = 1e-5, maxLr = 1e-2): { lr: number; rule: string } {
  let lowest = Infinity;
  let blowUp = -1;
  for (let i = 0; i < smoothed.length; i++) {
    const s = smoothed[i];
    if (!Number.isFinite(s) || (i > 0 && s > 1.25 * lowest)) {
      blowUp = i;
      break;
    }
    lowest = Math.min(lowest, s);
  }
  const at = blowUp >= 0 ? lrs[blowUp] : lrs[smoothed.length - 1];
  const lr = Math.min(maxLr, Math.max(minLr, at / 10));
  const rule = blowUp >= 0
    ? `the loss rose 25% above its minimum at lr ${at.toExponential(1)}: a tenth of that`
    : `the loss never rose up to lr ${at.toExponential(1)}: a tenth of that`;
  return { lr, rule: lr !== at / 10 ? `${rule}, clamped to [${minLr}, ${maxLr}]` : rule };
}

/**
 * The range the finder's pick is clamped to. A 20-step sweep on a small folder mostly finds where
 * the loss blows up (the curve is flat before it), and a tenth of that was measured too high for Adam
 * on AlexNet from scratch (1.6e-3 went back up; 1e-4..3e-4 learn): Adam's pick stays in [1e-5, 3e-4].
 */
export function finderRange(optimizer: 'sgd' | 'adam'): [number, number] {
  return optimizer === 'adam' ? [1e-5, 3e-4] : [1e-4, 0.03];
}
