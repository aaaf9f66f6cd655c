// A learning-rate finder (fastai's lr_find, Smith 2015): training steps from the run's initial weights
// with the lr growing exponentially, on a throw-away copy of the model; the pick follows
// schedule.ts's rule. It costs `steps` training steps (about an epoch on a few hundred images).
import type { LrFinderResult } from '../../protocol/engine/train';
import { finderDiverged, finderLrs, pickFinderLr, smoothLosses } from './schedule';

export interface FinderStep {
  step(lr: number, index: number): Promise<number>;
}

export const FINDER_STEPS = 20;
export const FINDER_START = 1e-6;
export const FINDER_END = 0.1;

export async function findLr(
  run: FinderStep,
  opts: { steps?: number; start?: number; end?: number; range?: [number, number]; aborted?: () => boolean; progress?: (i: number, n: number, lr: number, loss: number) => void } = {},
): Promise<LrFinderResult> {
  const t0 = performance.now();
  const lrs = finderLrs(opts.start ?? FINDER_START, opts.end ?? FINDER_END, opts.steps ?? FINDER_STEPS);
  const losses: number[] = [];
  let smoothed: number[] = [];
  for (let i = 0; i < lrs.length && !opts.aborted?.(); i++) {
    losses.push(await run.step(lrs[i], i));
    smoothed = smoothLosses(losses);
    opts.progress?.(i + 1, lrs.length, lrs[i], smoothed[i]);
    if (finderDiverged(smoothed)) break;
  }
  const { lr, rule } = pickFinderLr(lrs.slice(0, smoothed.length), smoothed, ...(opts.range ?? [1e-5, 1e-2]));
  return { lr, rule, trace: smoothed.map((s, i) => [lrs[i], s]), seconds: (performance.now() - t0) / 1000 };
}
