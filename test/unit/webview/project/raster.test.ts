// The scatter's software blit: thumbnails scaled by nearest neighbour and clipped at the edges,
// and the occlusion pass that skips thumbnails later ones cover completely.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { blitThumbnail, fillRect, hiddenUnderLater, packColour, packThumbnails, scaleMap } from '../../../../src/webview/project/raster';

test('scaleMap: each destination pixel samples the source pixel under its centre', () => {
  assert.deepEqual([...scaleMap(4, 2)], [1, 3]);
  assert.deepEqual([...scaleMap(2, 4)], [0, 0, 1, 1]);
  assert.deepEqual([...scaleMap(3, 3)], [0, 1, 2]);
});

test('blitThumbnail copies a scaled thumbnail and clips it to the buffer', () => {
  // one 2x2 thumbnail: red, green / blue, white
  const thumbs = packThumbnails(Uint8Array.from([255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255]), 2, 1);
  const W = 5, H = 4;
  const buf = new Uint32Array(W * H);
  const bg = packColour(9, 9, 9);
  buf.fill(bg);
  blitThumbnail(buf, W, H, thumbs, 2, 0, 3, 2, 4, scaleMap(2, 4)); // 4x4 at (3, 2): half of it off the buffer
  const red = packColour(255, 0, 0);
  assert.equal(buf[2 * W + 3], red);
  assert.equal(buf[2 * W + 4], red);
  assert.equal(buf[3 * W + 4], red);
  assert.equal(buf[0], bg);
  assert.equal(buf[2 * W + 2], bg);
  const again = new Uint32Array(W * H);
  blitThumbnail(again, W, H, thumbs, 2, 0, -2, -2, 4, scaleMap(2, 4)); // only its bottom-right quarter shows
  assert.equal(again[0], packColour(255, 255, 255));
  assert.equal(again[2 * W], 0, 'nothing written below it');
  const rect = new Uint32Array(W * H);
  fillRect(rect, W, H, -1, 3, 2, 10, 7);
  assert.deepEqual([...rect.slice(3 * W, 4 * W)], [7, 7, 0, 0, 0]);
  assert.equal(rect.filter((v) => v === 7).length, 2);
});

test('hiddenUnderLater hides thumbnails covered by later ones and keeps those that show', () => {
  const xs = Float32Array.from([50, 50, 50, 90]);
  const ys = Float32Array.from([50, 50, 52, 50]);
  // 0 and 1 at the same spot: 0 lies under 1; 2 is shifted 2 px down (still under cells of 1? no: its bottom row shows)
  const hidden = hiddenUnderLater([0, 1, 2, 3], xs, ys, 20, 1, 200, 200);
  assert.equal(hidden[3], 0, 'the last point always shows');
  assert.equal(hidden[0], 1, 'exactly under point 1 and point 2');
  assert.equal(hidden[2], 0);
  assert.deepEqual([...hiddenUnderLater([0, 3], xs, ys, 20, 1, 200, 200)], [0, 0], 'apart: both show');
});
