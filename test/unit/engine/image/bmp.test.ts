// Our own BMP reader (sharp's libvips has none): the variants PIL's writer does not produce,
// built byte by byte here. PIL-written 24-bit and 8-bit BMPs are covered in image-decode.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeImage } from '../../../../src/engine/image/decode';
import { ImageDecodeError } from '../../../../src/engine/image/errors';

interface BmpSpec {
  width: number;
  height: number;
  bpp: number;
  /** packed rows, top row first, without padding */
  rows: number[][];
  palette?: [number, number, number][];
  compression?: number;
  masks?: [number, number, number];
  topDown?: boolean;
}

/** BITMAPFILEHEADER + BITMAPINFOHEADER (+ masks) + palette + padded pixel rows. */
function buildBmp(s: BmpSpec): Buffer {
  const stride = Math.floor((s.width * s.bpp + 31) / 32) * 4;
  const masks = s.masks ? 12 : 0;
  const paletteBytes = (s.palette?.length ?? 0) * 4;
  const offset = 14 + 40 + masks + paletteBytes;
  const buf = Buffer.alloc(offset + stride * s.height);
  buf.write('BM', 0, 'latin1');
  buf.writeUInt32LE(buf.length, 2);
  buf.writeUInt32LE(offset, 10);
  buf.writeUInt32LE(40, 14);
  buf.writeInt32LE(s.width, 18);
  buf.writeInt32LE(s.topDown ? -s.height : s.height, 22);
  buf.writeUInt16LE(1, 26);
  buf.writeUInt16LE(s.bpp, 28);
  buf.writeUInt32LE(s.compression ?? (s.masks ? 3 : 0), 30);
  buf.writeUInt32LE(s.palette?.length ?? 0, 46);
  s.masks?.forEach((m, i) => buf.writeUInt32LE(m, 54 + i * 4));
  s.palette?.forEach(([r, g, b], i) => buf.set([b, g, r, 0], 54 + masks + i * 4));
  s.rows.forEach((row, y) => buf.set(row, offset + (s.topDown ? y : s.height - 1 - y) * stride));
  return buf;
}

const rgbRows = (img: { data: Uint8Array; width: number }) =>
  Array.from({ length: img.data.length / 3 / img.width }, (_, y) => [...img.data.subarray(y * img.width * 3, (y + 1) * img.width * 3)]);

test('1-bit and 4-bit palette BMPs', async () => {
  const one = buildBmp({ width: 10, height: 2, bpp: 1, palette: [[0, 0, 0], [255, 128, 1]], rows: [[0b10000000, 0b01000000], [0b00000000, 0b00000000]] });
  const img1 = await decodeImage(one);
  assert.deepEqual(rgbRows(img1)[0].slice(0, 6), [255, 128, 1, 0, 0, 0]);
  assert.deepEqual(rgbRows(img1)[0].slice(27, 30), [255, 128, 1]); // x = 9 is bit 1 of the second byte
  assert.deepEqual(rgbRows(img1)[1].slice(27, 30), [0, 0, 0]);
  const four = buildBmp({ width: 3, height: 1, bpp: 4, palette: [[1, 2, 3], [4, 5, 6], [7, 8, 9]], rows: [[0x21, 0x00]] });
  assert.deepEqual([...(await decodeImage(four)).data], [7, 8, 9, 4, 5, 6, 1, 2, 3]);
});

test('16-bit 5-5-5 default, 32-bit BI_BITFIELDS, top-down rows', async () => {
  // 0x7c00 = red 31 -> 255, 0x03e0 = green 31, 0x0010 = blue 16 -> 16*255/31 = 131
  const b16 = buildBmp({ width: 3, height: 1, bpp: 16, rows: [[0x00, 0x7c, 0xe0, 0x03, 0x10, 0x00]] });
  assert.deepEqual([...(await decodeImage(b16)).data], [255, 0, 0, 0, 255, 0, 0, 0, 131]);
  // 32-bit with masks in R G B order of the bytes (0x000000ff = red) and alpha ignored
  const b32 = buildBmp({
    width: 2, height: 2, bpp: 32, masks: [0x000000ff, 0x0000ff00, 0x00ff0000], topDown: true,
    rows: [[10, 20, 30, 0, 40, 50, 60, 0], [70, 80, 90, 255, 100, 110, 120, 255]],
  });
  const img = await decodeImage(b32);
  assert.deepEqual([...img.data], [10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120]);
  // the same pixels bottom-up give the same image
  const bottomUp = buildBmp({ width: 2, height: 2, bpp: 32, masks: [0x000000ff, 0x0000ff00, 0x00ff0000], rows: [[10, 20, 30, 0, 40, 50, 60, 0], [70, 80, 90, 255, 100, 110, 120, 255]] });
  assert.deepEqual([...(await decodeImage(bottomUp)).data], [...img.data]);
});

test('RLE-compressed BMP is refused with a clear message; zero width is corrupt', async () => {
  const rle = buildBmp({ width: 2, height: 1, bpp: 8, compression: 1, palette: [[0, 0, 0]], rows: [[0, 0]] });
  await assert.rejects(decodeImage(rle, { name: 'x.bmp' }), (e: unknown) => {
    assert.ok(e instanceof ImageDecodeError);
    assert.equal(e.code, 'unsupported-format');
    assert.match(e.message, /^x\.bmp: BMP with RLE8 compression is not supported/);
    return true;
  });
  const empty = buildBmp({ width: 0, height: 1, bpp: 24, rows: [] });
  await assert.rejects(decodeImage(empty), (e: unknown) => e instanceof ImageDecodeError && e.code === 'corrupt');
});
