// Preprocessing: the Pillow-exact resize, torchvision's crop rounding, float32 normalisation for
// both conventions (checked against hand-computed values), and, when ../shared/data is present,
// a real photo against a reference tensor written by torchvision (scripts/compare-preprocess.py).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeSpec, CAFFE_BGR, IMAGENET_RGB } from '../../../../src/engine/model/spec';
import { decodeImageFile, type RgbImage } from '../../../../src/engine/image/decode';
import {
  centerCrop, centerCropOrigin, cropRgb, modelView, normalise, preprocess, preprocessBatch, preprocessFile, resizeForModel,
} from '../../../../src/engine/image/preprocess';
import { resizeRgb, shorterSideTarget } from '../../../../src/engine/image/resize';
import { FIXTURES as FIXTURES_DIR, SHARED_DATA } from '../../../helpers/paths';

const FIXTURES = join(FIXTURES_DIR, 'images');
const SHARED_IMAGES = join(SHARED_DATA, 'images');

function image(width: number, height: number, at: (x: number, y: number, c: number) => number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) for (let c = 0; c < 3; c++) data[(y * width + x) * 3 + c] = at(x, y, c);
  return { data, width, height };
}

test('bilinear downscale matches a hand-computed antialiased (Pillow) result', () => {
  // 4 -> 2 pixels: the triangle widens to support 2; output 0 weighs inputs 0,1,2 by 3/7, 3/7, 1/7
  // and output 1 weighs inputs 1,2,3 by 1/7, 3/7, 3/7 (Pillow's pixel-centre convention).
  const row = [0, 70, 140, 210];
  const src = image(4, 1, (x) => row[x]);
  const out = resizeRgb(src, 2, 1);
  assert.deepEqual([...out.data], [50, 50, 50, 160, 160, 160]);
});

test('resize is byte-identical to Pillow 9.4 (bilinear and bicubic, up, down, one axis)', () => {
  const ref = JSON.parse(readFileSync(join(FIXTURES, 'pil-resize-reference.json'), 'utf8')) as {
    source: { width: number; height: number };
    cases: { width: number; height: number; filter: 'bilinear' | 'bicubic'; rgbBase64: string }[];
  };
  // the pattern make-fixtures.py resized
  const src = image(ref.source.width, ref.source.height, (x, y, c) => (x * 37 + y * 91 + c * 53 + ((x * y) % 17) * 11) % 256);
  for (const c of ref.cases) {
    const ours = resizeRgb(src, c.width, c.height, c.filter);
    const expected = Buffer.from(c.rgbBase64, 'base64');
    const diffs = ours.data.reduce((n, v, i) => n + (v !== expected[i] ? 1 : 0), 0);
    assert.equal(diffs, 0, `${c.filter} ${c.width}x${c.height}: ${diffs} bytes differ from Pillow`);
  }
});

test('Resize(256) target sizes follow torchvision (short side 256, long side truncated)', () => {
  assert.deepEqual(shorterSideTarget(1546, 1213, 256), { width: 326, height: 256 }); // 326.29
  assert.deepEqual(shorterSideTarget(517, 606, 256), { width: 256, height: 300 }); // 300.07
  assert.deepEqual(shorterSideTarget(227, 227, 256), { width: 256, height: 256 });
  assert.deepEqual(shorterSideTarget(300, 799, 256), { width: 256, height: 681 }); // 681.8 -> 681
});

test('centre crop rounds halves to even like Python (torchvision CenterCrop)', () => {
  assert.deepEqual(centerCropOrigin(326, 256, 224), { x: 51, y: 16 });
  assert.deepEqual(centerCropOrigin(256, 341, 224), { x: 16, y: 58 }); // 58.5 -> 58
  assert.deepEqual(centerCropOrigin(256, 256, 227), { x: 14, y: 14 }); // 14.5 -> 14
  assert.deepEqual(centerCropOrigin(5, 5, 2), { x: 2, y: 2 }); // 1.5 -> 2
  const img = image(5, 5, (x, y) => y * 5 + x);
  assert.deepEqual([...centerCrop(img, 2).data].filter((_, i) => i % 3 === 0), [12, 13, 17, 18]);
});

test('crop with horizontal flip mirrors inside the crop; out-of-bounds crops are refused', () => {
  const img = image(4, 2, (x, y, c) => 10 * y + x + 100 * c);
  const crop = cropRgb(img, 1, 0, 3, 2, true);
  assert.deepEqual([...crop.data].filter((_, i) => i % 3 === 0), [3, 2, 1, 13, 12, 11]);
  assert.deepEqual([...crop.data].filter((_, i) => i % 3 === 2), [203, 202, 201, 213, 212, 211]);
  assert.deepEqual([...cropRgb(img, 1, 0, 3, 2).data].filter((_, i) => i % 3 === 0), [1, 2, 3, 11, 12, 13]);
  assert.throws(() => cropRgb(img, 2, 0, 3, 2), /does not fit in a 4x2 image/);
});

test('normalisation equals the hand-computed values for both conventions', () => {
  const px = image(1, 1, (_x, _y, c) => [255, 0, 128][c]);
  const tv = normalise(px, IMAGENET_RGB);
  const expected = [(1 - 0.485) / 0.229, (0 - 0.456) / 0.224, (128 / 255 - 0.406) / 0.225];
  tv.forEach((v, c) => assert.ok(Math.abs(v - expected[c]) < 1e-6, `channel ${c}: ${v} vs ${expected[c]}`));
  // caffe: BGR, 0..255, minus (104, 117, 124) in B,G,R order, no scaling
  assert.deepEqual([...normalise(px, CAFFE_BGR)], [128 - 104, 0 - 117, 255 - 124]);
});

test('preprocess on a tiny synthetic image: resize, crop, normalise, NHWC shape, batches', () => {
  // 6x4 with a spec that resizes the short side to 2 (-> 3x2) and crops 2x2 at x = round(0.5) = 0.
  const spec = { inputSize: 2, resizeTo: 2, normalisation: CAFFE_BGR };
  const flat = image(6, 4, (_x, _y, c) => [200, 100, 50][c]);
  const input = preprocess(flat, spec);
  assert.deepEqual(input.shape, [1, 2, 2, 3]);
  assert.deepEqual([...input.data], Array(4).fill([50 - 104, 100 - 117, 200 - 124]).flat());
  // a horizontal ramp: Pillow shrinks 0,51,102,153,204,255 (6 -> 3) to 36, 128, 219 (hand-computed:
  // weights 3/7, 3/7, 1/7 at the ends, 255/7 = 36.4; 1/8, 3/8, 3/8, 1/8 in the middle, 127.5 rounds up);
  // the crop keeps 36 and 128
  const ramp = image(6, 4, (x) => x * 51);
  assert.deepEqual([...resizeForModel(ramp, spec).data].filter((_, i) => i % 3 === 0), [36, 128, 219, 36, 128, 219]);
  assert.deepEqual([...modelView(ramp, spec).data].filter((_, i) => i % 3 === 0), [36, 128, 36, 128]);
  const batch = preprocessBatch([flat, ramp], spec);
  assert.deepEqual(batch.shape, [2, 2, 2, 3]);
  assert.deepEqual([...batch.data.subarray(0, 12)], [...input.data]);
  assert.deepEqual([...batch.data.subarray(12)], [...preprocess(ramp, spec).data]);
});

test('the real specs give 224x224 (torchvision) and 227x227 (caffe) inputs from a fixture file', async () => {
  const tv = await preprocessFile(join(FIXTURES, 'rgb.jpg'), makeSpec('torchvision'));
  assert.deepEqual(tv.shape, [1, 224, 224, 3]);
  assert.equal(tv.data.length, 224 * 224 * 3);
  assert.equal(tv.image.source.format, 'jpeg');
  const caffe = await preprocessFile(join(FIXTURES, 'rgb.jpg'), makeSpec('caffe'));
  assert.deepEqual(caffe.shape, [1, 227, 227, 3]);
  // top-left of the red quadrant, as BGR minus mean: about (20-104, 20-117, 220-124)
  [20 - 104, 20 - 117, 220 - 124].forEach((v, c) => assert.ok(Math.abs(caffe.data[c] - v) <= 8, `channel ${c}: ${caffe.data[c]}`));
});

interface Reference { image: string; spec: 'torchvision' | 'caffe'; shape: number[]; stride: number; channelMeans: number[]; samples: number[] }

const haveShared = existsSync(SHARED_IMAGES);
test('real photos match torchvision\'s own preprocessing (reference tensors from scripts/compare-preprocess.py)', {
  skip: haveShared ? false : `skipped: ${SHARED_IMAGES} is absent (the shared photos are not in the repository)`,
}, async () => {
  const { references } = JSON.parse(readFileSync(join(FIXTURES, 'torchvision-reference.json'), 'utf8')) as { references: Reference[] };
  for (const ref of references) {
    const { data, shape } = await preprocessFile(join(SHARED_IMAGES, ref.image), makeSpec(ref.spec));
    assert.deepEqual(shape.slice(1), ref.shape, ref.image);
    const [h, w] = ref.shape;
    let maxDiff = 0;
    let k = 0;
    for (let y = 0; y < h; y += ref.stride) {
      for (let x = 0; x < w; x += ref.stride) {
        for (let c = 0; c < 3; c++) maxDiff = Math.max(maxDiff, Math.abs(data[(y * w + x) * 3 + c] - ref.samples[k++]));
      }
    }
    assert.equal(k, ref.samples.length);
    // the JSON keeps 6 decimals; anything beyond rounding means a pixel differs from torchvision
    assert.ok(maxDiff < 2e-6 * (ref.spec === 'caffe' ? 100 : 1), `${ref.image}: sampled values differ by up to ${maxDiff}`);
    for (let c = 0; c < 3; c++) {
      let sum = 0;
      for (let i = c; i < data.length; i += 3) sum += data[i];
      const mean = sum / (data.length / 3);
      assert.ok(Math.abs(mean - ref.channelMeans[c]) < 1e-5, `${ref.image} channel ${c} mean ${mean} vs ${ref.channelMeans[c]}`);
    }
  }
});

test('decoded fixtures survive the full pipeline at every orientation', async () => {
  const img = await decodeImageFile(join(FIXTURES, 'exif-orientation-6.jpg'));
  const view = modelView(img, makeSpec('torchvision'));
  // 48x64 -> 256x341 -> crop 224 at (16, 58): the top-left of the crop is still in the blue quadrant
  assert.equal(view.width, 224);
  assert.ok(view.data[2] > 180 && view.data[0] < 60, `top-left of crop is ${[...view.data.subarray(0, 3)]}`);
});
