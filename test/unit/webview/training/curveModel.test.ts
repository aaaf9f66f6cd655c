// The training curves' logic without a DOM: the step loss's moving average, the smoothing value
// kept in the page's state made valid, when the learning-rate chart is shown, and a compared run's
// epoch curves (the host's mapping of a run read back).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clampSmoothing, constantLrText, DEFAULT_SMOOTHING, Ema, epochSeries, lrChanges, MAX_SMOOTHING, smoothEma } from '../../../../src/webview/training/curveModel';
import { comparisonRun } from '../../../../src/extension/train/runView';
import type { OpenRunResult } from '../../../../src/protocol/engine/train';

const pts = (ys: number[]) => ys.map((y, i) => ({ x: i + 1, y }));
const close = (a: number[], b: number[]) => a.length === b.length && a.every((v, i) => Math.abs(v - b[i]) < 1e-12);

test('the moving average is debiased: a constant loss stays that constant from the first point', () => {
  const out = smoothEma(pts([2, 2, 2, 2]), 0.9);
  assert.deepEqual(out.map((p) => p.x), [1, 2, 3, 4]);
  assert.ok(close(out.map((p) => p.y), [2, 2, 2, 2]), JSON.stringify(out));
});

test('the moving average follows the TensorBoard formula, by hand for weight 0.5', () => {
  // s1 = 0.5*1 = 0.5 -> /0.5 = 1; s2 = 0.25 + 0.5*3 = 1.75 -> /0.75 = 7/3; s3 = 0.875 + 0.5*0 -> /0.875 = 1
  assert.ok(close(smoothEma(pts([1, 3, 0]), 0.5).map((p) => p.y), [1, 7 / 3, 1]));
});

test('weight 0 draws the raw points; a higher weight flattens a noisy curve more', () => {
  const noisy = pts([1, 3, 1, 3, 1, 3, 1, 3]);
  assert.deepEqual(smoothEma(noisy, 0).map((p) => p.y), [1, 3, 1, 3, 1, 3, 1, 3]);
  const spread = (w: number) => {
    const ys = smoothEma(noisy, w).slice(4).map((p) => p.y);
    return Math.max(...ys) - Math.min(...ys);
  };
  assert.ok(spread(0.9) < spread(0.5) && spread(0.5) < 2, `${spread(0.9)} < ${spread(0.5)} < 2`);
});

test('a non-finite loss is left out and does not poison the points after it', () => {
  const out = smoothEma([{ x: 1, y: 1 }, { x: 2, y: NaN }, { x: 3, y: Infinity }, { x: 4, y: 1 }], 0.6);
  assert.deepEqual(out.map((p) => p.x), [1, 4]);
  assert.ok(out.every((p) => Math.abs(p.y - 1) < 1e-12));
});

test('the incremental average (live steps) equals the one computed from all the points', () => {
  const ys = [2.3, 2.1, 2.2, 1.7, 1.9, 1.2, 1.4, 0.9];
  const ema = new Ema(0.8);
  const live = ys.map((y) => ema.push(y)!);
  assert.ok(close(live, smoothEma(pts(ys), 0.8).map((p) => p.y)));
});

test('a saved smoothing value is made valid: clamped to [0, 0.99], garbage gives the default', () => {
  assert.equal(clampSmoothing(0.3), 0.3);
  assert.equal(clampSmoothing(-1), 0);
  assert.equal(clampSmoothing(1), MAX_SMOOTHING);
  for (const bad of [undefined, null, NaN, '0.5', {}]) assert.equal(clampSmoothing(bad), DEFAULT_SMOOTHING, String(bad));
  // smoothEma clamps too: weight 1 would never move off the first point
  assert.ok(smoothEma(pts([1, 5, 5, 5]), 1)[3].y > 1);
});

test('the lr chart is shown only when the learning rate changes', () => {
  const steps = (lrs: number[]) => lrs.map((lr) => ({ lr }));
  assert.equal(lrChanges([]), false, 'no steps yet');
  assert.equal(lrChanges(steps([0.01, 0.01, 0.01])), false, 'constant');
  assert.equal(lrChanges(steps([0.01, 0.01 * (1 + 1e-9)])), false, 'float noise is not a change');
  assert.equal(lrChanges(steps([0.001, 0.002, 0.003, 0.01])), true, 'warm-up');
  assert.equal(lrChanges(steps([0.01, 0.01, 0.001])), true, 'plateau division');
  assert.equal(lrChanges(steps([0.01, NaN, 0.01])), false, 'a NaN is not a change');
  // the epoch announces the division before the next step runs
  assert.equal(lrChanges(steps([0.01, 0.01]), [{ lr: 0.01, nextLr: 0.001 }]), true);
  assert.equal(lrChanges(steps([0.01, 0.01]), [{ lr: 0.01, nextLr: 0.01 }]), false);
  assert.match(constantLrText(steps([0.01]), 0.5), /1\.00e-2 throughout/);
  assert.match(constantLrText([], 0.5), /5\.00e-1/);
});

test('epoch series leave out epochs without validation; a compared run keeps only its epoch curves', () => {
  const epochs = [
    { epoch: 1, trainLoss: 1.5, trainAcc: 0.4, valLoss: null, valAcc: null },
    { epoch: 2, trainLoss: 1.0, trainAcc: 0.6, valLoss: 1.1, valAcc: 0.55 },
  ];
  assert.deepEqual(epochSeries(epochs, 'valAcc'), [{ x: 2, y: 0.55 }]);
  assert.deepEqual(epochSeries(epochs, 'trainLoss'), [{ x: 1, y: 1.5 }, { x: 2, y: 1.0 }]);
  const run = { runDir: '/w/.alexnet/runs/2026-12-01-run', epochs: epochs.map((e) => ({ ...e, confusion: [[1]], lr: 0.01, examples: [] })) } as unknown as OpenRunResult;
  const c = comparisonRun(run);
  assert.equal(c.name, '2026-12-01-run');
  assert.deepEqual(c.epochs, epochs, 'no confusion matrices or examples in the page state');
});
