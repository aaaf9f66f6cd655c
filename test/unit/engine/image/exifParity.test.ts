// EXIF orientation against torchvision (reference: test/fixtures/images/make_exif_reference.py).
// torchvision's loader (PIL Image.open) ignores the orientation tag; we apply it by default (the
// picture users see) and read pixels as stored with exifOrientation off / --no-exif. Both routes
// must equal torchvision's tensor for the same pixels, and the classify result says which was used.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeSpec } from '../../../../src/engine/model/spec';
import { preprocessFile } from '../../../../src/engine/image';
import { Engine } from '../../../../src/engine/engine';
import { FIXTURES } from '../../../helpers/paths';

const IMAGE = join(FIXTURES, 'images', 'exif-orientation-6.jpg');
interface Ref { shape: number[]; stride: number; channelMeans: number[]; samples: number[] }
const REF = JSON.parse(readFileSync(join(FIXTURES, 'images', 'exif-reference.json'), 'utf8')) as { exifOrientation: number; asStored: Ref; exifTransposed: Ref };

function maxDiff(data: Float32Array, ref: Ref): number {
  const [h, w] = ref.shape;
  let d = 0;
  let k = 0;
  for (let y = 0; y < h; y += ref.stride) for (let x = 0; x < w; x += ref.stride) for (let c = 0; c < 3; c++) d = Math.max(d, Math.abs(data[(y * w + x) * 3 + c] - ref.samples[k++]));
  assert.equal(k, ref.samples.length);
  return d;
}

test('the fixture carries EXIF orientation 6', () => assert.equal(REF.exifOrientation, 6));

test('exifOrientation off: the tensor equals torchvision\'s (pixels as stored)', async () => {
  const { data, image } = await preprocessFile(IMAGE, makeSpec('torchvision'), { autoOrient: false });
  assert.deepEqual([image.width, image.height], [64, 48]);
  assert.ok(maxDiff(data, REF.asStored) < 2e-6, `differs by ${maxDiff(data, REF.asStored)}`);
});

test('exifOrientation on (default): the tensor equals torchvision\'s after ImageOps.exif_transpose, and not the plain one', async () => {
  const { data, image } = await preprocessFile(IMAGE, makeSpec('torchvision'));
  assert.deepEqual([image.width, image.height], [48, 64]);
  assert.ok(maxDiff(data, REF.exifTransposed) < 2e-6, `differs by ${maxDiff(data, REF.exifTransposed)}`);
  assert.ok(maxDiff(data, REF.asStored) > 0.5, 'the two routes should differ on a rotated photo');
});

test('classify reports whether the EXIF orientation was applied, and the predictions follow the route', { timeout: 180_000 }, async () => {
  const engine = new Engine({});
  await engine.init('cpu');
  await engine.loadModel('torchvision', { kind: 'random', seed: 3 });
  const [on] = await engine.classifyFiles([IMAGE], { topK: 1000 });
  const [off] = await engine.classifyFiles([IMAGE], { topK: 1000, exifOrientation: false });
  const [plain] = await engine.classifyFiles([join(FIXTURES, 'images', 'rgb.jpg')], { topK: 1 });
  assert.ok(on.ok && off.ok && plain.ok);
  assert.deepEqual(on.exif, { orientation: 6, applied: true });
  assert.deepEqual(off.exif, { orientation: 6, applied: false });
  assert.equal(plain.exif, undefined); // no tag: nothing to say
  assert.deepEqual([on.width, on.height, off.width, off.height], [48, 64, 64, 48]);
  const p = (item: typeof on, i: number) => (item.ok ? item.predictions.find((q) => q.index === i)!.probability : NaN);
  const diff = Math.max(...Array.from({ length: 1000 }, (_, i) => Math.abs(p(on, i) - p(off, i))));
  assert.ok(diff > 1e-6, 'rotating the input should change the probabilities');
});
