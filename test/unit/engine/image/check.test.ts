// The scan's "will this decode?" check: complete images pass (also a JPEG with bytes after its end
// marker, which decoders accept), cut-off and damaged ones are named with a code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { checkImage } from '../../../../src/engine/image/check';
import { decodeImage } from '../../../../src/engine/image/decode';

const noise = (w: number, h: number) => Buffer.from(Array.from({ length: w * h * 3 }, (_, i) => (i * 7919) % 251));

test('complete images pass; truncated, damaged, empty and non-images are named', async () => {
  const jpeg = await sharp(noise(64, 64), { raw: { width: 64, height: 64, channels: 3 } }).jpeg().toBuffer();
  const png = await sharp(noise(64, 64), { raw: { width: 64, height: 64, channels: 3 } }).png().toBuffer();
  const webp = await sharp(noise(32, 32), { raw: { width: 32, height: 32, channels: 3 } }).webp().toBuffer();
  for (const ok of [jpeg, png, webp]) assert.equal(await checkImage(ok), undefined);
  // a trailer after the JPEG's end marker decodes fine, so the scan must not reject it
  const trailer = Buffer.concat([jpeg, Buffer.from('trailing bytes')]);
  await decodeImage(trailer);
  assert.equal(await checkImage(trailer), undefined);
  assert.equal((await checkImage(jpeg.subarray(0, jpeg.length >> 1)))?.code, 'truncated');
  assert.equal((await checkImage(png.subarray(0, png.length - 20)))?.code, 'truncated');
  const badHeader = Buffer.from(png);
  badHeader.fill(0, 12, 33); // IHDR zeroed
  assert.ok(['corrupt', 'truncated'].includes((await checkImage(badHeader))?.code ?? ''), 'a damaged header is caught');
  assert.equal((await checkImage(Buffer.alloc(0)))?.code, 'empty');
  assert.equal((await checkImage(Buffer.from('hello, not an image')))?.code, 'not-an-image');
});
