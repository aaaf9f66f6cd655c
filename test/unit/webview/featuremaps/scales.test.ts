// The colour legends' ticks (both ends shown, round values between, no two labels on top of each
// other) and the side panel's grid, which must fill its width at every panel size.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fitGrid, gridKeyStep, legendTicks } from '../../../../src/webview/featuremaps/scales';

test('legend ticks: the ends of the range, round values between, in order and apart', () => {
  const t = legendTicks(0, 3.76);
  assert.equal(t[0].label, '0');
  assert.equal(t.at(-1)!.value, 3.76);
  assert.equal(t.at(-1)!.label, '3.76');
  assert.deepEqual(t.slice(1, -1).map((x) => x.label), ['1', '2', '3']);
  for (const [lo, hi] of [[0, 1], [-0.221, 0.217], [0, 0.0123], [0, 1234.5], [-5, 80], [0.5, 0.51]]) {
    const ticks = legendTicks(lo, hi);
    assert.equal(ticks[0].at, 0);
    assert.equal(ticks.at(-1)!.at, 1);
    for (let i = 1; i < ticks.length; i++) {
      assert.ok(ticks[i].at - ticks[i - 1].at >= 0.12, `[${lo}, ${hi}]: ticks ${ticks[i - 1].label} and ${ticks[i].label} too close`);
      assert.ok(ticks[i].value > ticks[i - 1].value);
    }
    assert.equal(new Set(ticks.map((x) => x.label)).size, ticks.length, `[${lo}, ${hi}]: repeated labels ${ticks.map((x) => x.label)}`);
  }
});

test('legend ticks: Grad-CAM 0..1 reads 0, 0.2 .. 0.8, 1', () => {
  assert.deepEqual(legendTicks(0, 1).map((t) => t.label), ['0', '0.2', '0.4', '0.6', '0.8', '1']);
});

test('legend ticks: a flat range gives one tick, not a division by zero', () => {
  assert.deepEqual(legendTicks(0, 0).map((t) => t.label), ['0']);
  assert.deepEqual(legendTicks(NaN, 1), []);
});

test('fitGrid fills the width at 200..1600 px and keeps tiles readable', () => {
  for (const channels of [3, 64, 96, 256, 384, 4096]) {
    for (let width = 200; width <= 1600; width += 7) {
      const { columns, tile } = fitGrid(width, channels, 1);
      const used = columns * tile + (columns - 1);
      assert.ok(used <= width, `${channels} maps at ${width} px: ${used} px used`);
      assert.ok(width - used < columns, `${channels} maps at ${width} px: ${width - used} px left empty`);
      assert.ok(tile >= 16 || columns === 1, `${channels} maps at ${width} px: tiles of ${tile} px`);
      assert.ok(columns <= channels);
    }
  }
  // the 280 px side panel: about 40 px tiles, not 16 rows of specks
  const side = fitGrid(280, 256, 1);
  assert.ok(side.columns >= 6 && side.columns <= 8 && side.tile >= 33, JSON.stringify(side));
});

test('gridKeyStep: arrows by one and by a row, clamped at the ends; the first key lands on tile 0', () => {
  assert.equal(gridKeyStep('ArrowRight', -1, 96, 8), 0);
  assert.equal(gridKeyStep('ArrowRight', 0, 96, 8), 1);
  assert.equal(gridKeyStep('ArrowDown', 1, 96, 8), 9);
  assert.equal(gridKeyStep('ArrowUp', 3, 96, 8), 0);
  assert.equal(gridKeyStep('ArrowDown', 90, 96, 8), 95);
  assert.equal(gridKeyStep('End', 4, 96, 8), 95);
  assert.equal(gridKeyStep('Home', 40, 96, 8), 0);
  assert.equal(gridKeyStep('a', 4, 96, 8), undefined);
});
