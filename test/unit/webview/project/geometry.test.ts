// The project view's plot maths: zoom keeps the point under the cursor, fit shows [-1, 1]^2, the
// grid finds the same nearest point as a full scan, the lasso selects what lies inside, and the
// colouring gives the frequent classes colours and the rest "other".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fitView, GridIndex, lerpCoords, pointInPolygon, pointsInPolygon, toScreen, toWorld, zoomAt } from '../../../../src/webview/project/geometry';
import { colourBy, PALETTE } from '../../../../src/webview/project/colours';
import { Rng } from '../../../../src/engine/train/rng';

test('toWorld inverts toScreen; fitView puts [-1, 1]^2 inside the margins', () => {
  const v = fitView(800, 600, 20);
  assert.deepEqual(toScreen(v, 0, 0), [400, 300]);
  assert.deepEqual(toScreen(v, -1, -1), [400 - 280, 20]);
  const [x, y] = toWorld(v, ...toScreen(v, 0.3, -0.7));
  assert.ok(Math.abs(x - 0.3) < 1e-12 && Math.abs(y + 0.7) < 1e-12);
});

test('zoomAt keeps the world point under the cursor and clamps the scale', () => {
  const v = fitView(800, 600);
  const before = toWorld(v, 123, 456);
  const z = zoomAt(v, 123, 456, 3);
  const after = toWorld(z, 123, 456);
  assert.ok(Math.abs(before[0] - after[0]) < 1e-9 && Math.abs(before[1] - after[1]) < 1e-9);
  assert.equal(z.scale, v.scale * 3);
  assert.equal(zoomAt(v, 0, 0, 1e-9, 50).scale, 50);
  assert.equal(zoomAt(v, 0, 0, 1e9, 1, 1000).scale, 1000);
});

test('GridIndex.nearest agrees with a full scan, and honours the radius', () => {
  const rng = new Rng(9);
  const n = 5000;
  const coords = Float32Array.from({ length: n * 2 }, () => rng.next() * 2 - 1);
  const grid = new GridIndex(coords);
  for (let q = 0; q < 200; q++) {
    const x = rng.next() * 2.2 - 1.1, y = rng.next() * 2.2 - 1.1, r = 0.03;
    let best = -1, bestD = r * r;
    for (let i = 0; i < n; i++) {
      const d = (coords[i * 2] - x) ** 2 + (coords[i * 2 + 1] - y) ** 2;
      if (d < bestD || (d === bestD && i > best)) { bestD = d; best = i; }
    }
    assert.equal(grid.nearest(x, y, r), best);
  }
  assert.equal(grid.nearest(5, 5, 0.1), -1);
});

test('pointInPolygon and pointsInPolygon (a concave L shape)', () => {
  const L = [0, 0, 2, 0, 2, 1, 1, 1, 1, 2, 0, 2];
  assert.equal(pointInPolygon(0.5, 0.5, L), true);
  assert.equal(pointInPolygon(1.5, 0.5, L), true);
  assert.equal(pointInPolygon(1.5, 1.5, L), false, 'the notch');
  assert.equal(pointInPolygon(3, 0.5, L), false);
  const pts = Float32Array.from([0.5, 0.5, 1.5, 1.5, 0.5, 1.5, -1, -1]);
  assert.deepEqual(pointsInPolygon(pts, L), [0, 2]);
  assert.deepEqual(pointsInPolygon(pts, [0, 0, 1, 1]), [], 'fewer than 3 vertices');
});

test('lerpCoords goes from a to b', () => {
  assert.deepEqual([...lerpCoords(Float32Array.from([0, 2]), Float32Array.from([4, 4]), 0.25)], [1, 2.5]);
});

test('colourBy: frequent groups get palette colours, a legend sorted by name, the rest are other', () => {
  const keys = [3, 3, 3, 1, 1, 2, -1];
  const names = ['zero', 'bee', 'cat', 'ant'];
  const c = colourBy(keys.length, (i) => keys[i], (k) => names[k]);
  assert.deepEqual(c.legend.map((l) => l.label), ['ant', 'bee', 'cat']);
  assert.equal(c.legend[0].colour, PALETTE[0], 'the largest group gets the first colour');
  assert.deepEqual(c.legend.map((l) => l.count), [3, 2, 1]);
  assert.deepEqual([...c.group], [0, 0, 0, 1, 1, 2, -1]);
  assert.equal(c.otherCount, 1);
  const many = colourBy(100, (i) => i % 30, (k) => `c${String(k).padStart(2, '0')}`);
  assert.equal(many.legend.length, PALETTE.length);
  assert.equal(many.otherCount, 100 - many.legend.reduce((a, l) => a + l.count, 0));
});
