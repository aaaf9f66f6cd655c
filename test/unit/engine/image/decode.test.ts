// Decoder tests on the fixtures from test/fixtures/images/make-fixtures.py (encoded by PIL):
// every format decodes to the expected size and colours, and every bad input gets its own
// ImageDecodeError with a message that says what is wrong.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { decodeImage, decodeImageFile, type RgbImage } from '../../../../src/engine/image/decode';
import { ImageDecodeError, type ImageErrorCode } from '../../../../src/engine/image/errors';
import { isImagePath } from '../../../../src/engine/image/formats';
import { FIXTURES } from '../../../helpers/paths';

const DIR = join(FIXTURES, 'images');
const fixture = (name: string) => join(DIR, name);
// The fixtures' quadrant colours (top-left, top-right, bottom-left, bottom-right), as in make-fixtures.py.
const RED: Rgb = [220, 20, 20];
const GREEN: Rgb = [20, 200, 20];
const BLUE: Rgb = [20, 20, 220];
const YELLOW: Rgb = [240, 220, 20];
type Rgb = [number, number, number];

function pixel(img: RgbImage, x: number, y: number): Rgb {
  const i = (y * img.width + x) * 3;
  return [img.data[i], img.data[i + 1], img.data[i + 2]];
}

function assertColour(actual: Rgb, expected: Rgb, tolerance: number, what: string): void {
  const worst = Math.max(...actual.map((v, c) => Math.abs(v - expected[c])));
  assert.ok(worst <= tolerance, `${what}: got ${actual}, expected ${expected} (+-${tolerance})`);
}

/** Checks a point well inside each quadrant (away from JPEG's blurred edges). */
function assertQuadrants(img: RgbImage, corners: [Rgb, Rgb, Rgb, Rgb], tolerance: number, what: string): void {
  const xs = [4, img.width - 5];
  const ys = [4, img.height - 5];
  assertColour(pixel(img, xs[0], ys[0]), corners[0], tolerance, `${what} top-left`);
  assertColour(pixel(img, xs[1], ys[0]), corners[1], tolerance, `${what} top-right`);
  assertColour(pixel(img, xs[0], ys[1]), corners[2], tolerance, `${what} bottom-left`);
  assertColour(pixel(img, xs[1], ys[1]), corners[3], tolerance, `${what} bottom-right`);
}

const QUADS: [Rgb, Rgb, Rgb, Rgb] = [RED, GREEN, BLUE, YELLOW];

test('every supported format decodes to 64x48 RGB with the quadrant colours', async () => {
  const cases: [string, string, number][] = [
    // file, format, colour tolerance (lossy JPEG vs exact lossless formats)
    ['rgb.jpg', 'jpeg', 6],
    ['progressive.jpg', 'jpeg', 6],
    ['palette.png', 'png', 0],
    ['rgb.webp', 'webp', 0],
    ['rgb.tif', 'tiff', 0],
    ['rgb.bmp', 'bmp', 0],
    ['palette.bmp', 'bmp', 0],
  ];
  for (const [name, format, tolerance] of cases) {
    const img = await decodeImageFile(fixture(name));
    assert.equal(img.width, 64, name);
    assert.equal(img.height, 48, name);
    assert.equal(img.data.length, 64 * 48 * 3, name);
    assert.equal(img.source.format, format, name);
    assertQuadrants(img, QUADS, tolerance, name);
  }
  assert.equal((await decodeImageFile(fixture('progressive.jpg'))).source.progressive, true);
});

test('lossless formats are pixel-exact everywhere', async () => {
  const expected = await decodeImageFile(fixture('rgb.bmp'));
  for (const name of ['rgb.webp', 'rgb.tif', 'palette.png', 'rgb16.png', 'palette.bmp']) {
    const img = await decodeImageFile(fixture(name));
    assert.deepEqual(Buffer.from(img.data), Buffer.from(expected.data), name);
  }
});

test('RGBA PNG: alpha is dropped like PIL convert("RGB"), keeping the colour under transparent pixels', async () => {
  const img = await decodeImageFile(fixture('rgba.png'));
  assert.equal(img.source.hasAlpha, true);
  assert.equal(img.data.length, 64 * 48 * 3);
  // The left half is fully transparent: compositing would give white (or black); PIL keeps the colour.
  assert.deepEqual(pixel(img, 0, 0), RED);
  assert.deepEqual(pixel(img, 0, 47), BLUE);
  assert.deepEqual(pixel(img, 63, 0), GREEN);
});

test('16-bit PNG keeps the high byte of each sample, as PIL does', async () => {
  const img = await decodeImageFile(fixture('rgb16.png'));
  assert.equal(img.source.bitDepth, 16);
  // samples are c*256 + 0xC0: a rounding /257 would give c+1
  assertQuadrants(img, QUADS, 0, 'rgb16');
});

test('greyscale JPEG and PNG come out as R = G = B with PIL luma values', async () => {
  for (const name of ['grey.jpg', 'grey.png']) {
    const img = await decodeImageFile(fixture(name));
    assert.equal(img.source.channels, 1, name);
    for (let i = 0; i < img.data.length; i += 3) {
      assert.ok(img.data[i] === img.data[i + 1] && img.data[i] === img.data[i + 2], `${name} pixel ${i / 3} is not grey`);
    }
    // PIL's L = (299 R + 587 G + 114 B) / 1000: red quadrant 80, yellow 203
    assertColour(pixel(img, 4, 4), [80, 80, 80], name.endsWith('.png') ? 0 : 3, `${name} top-left`);
    assertColour(pixel(img, 59, 43), [203, 203, 203], name.endsWith('.png') ? 0 : 3, `${name} bottom-right`);
  }
});

test('CMYK JPEG is converted with PIL\'s formula to plausible RGB', async () => {
  const img = await decodeImageFile(fixture('cmyk.jpg'));
  assert.equal(img.source.space, 'cmyk');
  assert.equal(img.source.channels, 4);
  // PIL stored c=255-r, m=255-g, y=255-b, k=0; its decoder returns the original colours (an ICC
  // transform, sharp's default, gives (203, 40, 40) for the red quadrant instead).
  assertQuadrants(img, QUADS, 4, 'cmyk');
});

test('animated GIF: only the first frame is decoded', async () => {
  const img = await decodeImageFile(fixture('animated.gif'));
  assert.equal(img.source.pages, 2);
  for (let i = 0; i < img.data.length; i += 3) {
    assert.deepEqual([img.data[i], img.data[i + 1], img.data[i + 2]], [255, 0, 0], `pixel ${i / 3} is not frame 0's red`);
  }
});

test('EXIF orientation 6 is applied (dimensions swapped, rotated 90 degrees clockwise) unless turned off', async () => {
  const img = await decodeImageFile(fixture('exif-orientation-6.jpg'));
  assert.equal(img.source.orientation, 6);
  assert.equal(img.width, 48);
  assert.equal(img.height, 64);
  assert.equal(img.source.width, 64); // stored size
  // rotating clockwise: stored bottom-left (blue) -> top-left, top-left (red) -> top-right, ...
  assertQuadrants(img, [BLUE, RED, YELLOW, GREEN], 6, 'rotated');
  const raw = await decodeImageFile(fixture('exif-orientation-6.jpg'), { autoOrient: false });
  assert.equal(raw.width, 64);
  assertQuadrants(raw, QUADS, 6, 'unrotated');
});

async function decodeError(run: () => Promise<unknown>): Promise<ImageDecodeError> {
  try {
    await run();
  } catch (e) {
    assert.ok(e instanceof ImageDecodeError, `expected ImageDecodeError, got ${String(e)}`);
    return e;
  }
  assert.fail('decoding succeeded but should have failed');
}

test('each bad input gets its own typed error and a clear message', async () => {
  const cases: [() => Promise<unknown>, ImageErrorCode, RegExp][] = [
    [() => decodeImageFile(fixture('empty.jpg')), 'empty', /empty \(0 bytes\)/],
    [() => decodeImageFile(fixture('not-an-image.jpg')), 'not-an-image', /not an image: this is a text file/],
    [() => decodeImageFile(fixture('truncated.jpg')), 'truncated', /truncated JPEG/],
    [() => decodeImageFile(fixture('huge-dimensions.png')), 'too-large', /20000x20000 \(400 megapixels\), over the limit of 100 megapixels/],
    [() => decodeImageFile(fixture('rgb.jpg'), { maxPixels: 3000 }), 'too-large', /64x48 \(3072 pixels\), over the limit of 3000 pixels/],
    [() => decodeImageFile(fixture('rgb.bmp'), { maxPixels: 3000 }), 'too-large', /64x48/],
    [() => decodeImageFile(fixture('no-such-file.jpg')), 'unreadable', /no-such-file\.jpg: no such file/],
    [() => decodeImageFile(DIR), 'unreadable', /is a folder/],
    [() => decodeImage(Buffer.from('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>')), 'unsupported-format', /SVG images are not supported/],
    [() => decodeImage(Buffer.from('\0\0\0\x18ftypheic\0\0\0\0', 'latin1')), 'unsupported-format', /HEIC\/HEIF images are not supported/],
    [() => decodeImage(Buffer.from([0x00, 0x01, 0x02, 0xfe, 0x99, 0x00, 0x42, 0x43, 0x44])), 'not-an-image', /first bytes 00 01 02 fe/],
  ];
  for (const [p, code, message] of cases) {
    const e = await decodeError(p);
    assert.equal(e.code, code, e.message);
    assert.match(e.message, message);
  }
  // the file name leads the message
  assert.match((await decodeError(() => decodeImageFile(fixture('empty.jpg')))).message, /^.*empty\.jpg: /);
});

test('a file cut in half is reported as truncated in every format', async () => {
  for (const name of ['rgb.jpg', 'progressive.jpg', 'rgba.png', 'rgb16.png', 'rgb.webp', 'rgb.tif', 'rgb.bmp', 'palette.bmp']) {
    const bytes = readFileSync(fixture(name));
    const e = await decodeError(() => decodeImage(bytes.subarray(0, bytes.length >> 1), { name }));
    assert.equal(e.code, 'truncated', `${name}: ${e.message}`);
    assert.match(e.message, new RegExp(`^${name.replace('.', '\\.')}: truncated`));
  }
});

test('damaged bytes never escape as anything but ImageDecodeError', async () => {
  let seed = 12345;
  const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  for (const name of readdirSync(DIR).filter(isImagePath)) {
    const bytes = readFileSync(fixture(name));
    for (const cut of [1, 3, 9, 0.25, 0.75]) {
      const end = cut < 1 ? Math.floor(bytes.length * cut) : cut;
      const damaged = Buffer.from(bytes.subarray(0, end));
      await decodeImage(damaged).catch((e) => assert.ok(e instanceof ImageDecodeError, `${name} cut at ${end}: ${e}`));
    }
    const flipped = Buffer.from(bytes);
    for (let k = 0; k < 8 && flipped.length > 32; k++) flipped[16 + Math.floor(random() * (flipped.length - 16))] ^= 0xff;
    await decodeImage(flipped).catch((e) => assert.ok(e instanceof ImageDecodeError, `${name} with flipped bytes: ${e}`));
  }
});

test('isImagePath knows the decoder\'s extensions in any case', () => {
  for (const p of ['a.jpg', 'A.JPEG', 'dir/x.png', 'x.WebP', 'x.gif', 'x.bmp', 'x.tif', 'C:\\pics\\x.TIFF', 'my photo.Jpg']) assert.ok(isImagePath(p), p);
  for (const p of ['a.txt', 'jpg', '.jpg', 'x.jpg.txt', 'x.heic', 'x.svg', 'dir.png/readme', 'x.']) assert.ok(!isImagePath(p), p);
});
