// Our side of scripts/compare-preprocess.py: for each image path, writes into OUT_DIR
//   <i>.decoded.u8          decodeImageFile's RGB bytes (HWC)
//   <i>.torchvision.f32     preprocess() with the torchvision spec (NHWC)
//   <i>.caffe.f32           preprocess() with the caffe spec (NHWC, BGR)
//   <i>.sharp-<kernel>.f32  the torchvision tensor with sharp's resize in place of our Pillow one
//   <i>.sharp-shrink-on-load.f32  sharp resizing straight from the encoded file (JPEG shrink-on-load on)
// and index.json (sizes, errors, timings). Usage: npx tsx scripts/compare-preprocess.ts OUT_DIR FILE...
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { makeSpec } from '../src/engine/model/spec';
import { decodeImageFile, type RgbImage } from '../src/engine/image/decode';
import { centerCrop, normalise, preprocess } from '../src/engine/image/preprocess';
import { shorterSideTarget } from '../src/engine/image/resize';

const KERNELS = ['linear', 'cubic', 'mitchell', 'lanczos3'] as const;

async function sharpResize(img: RgbImage, width: number, height: number, kernel: (typeof KERNELS)[number]): Promise<RgbImage> {
  const data = await sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } })
    .resize(width, height, { kernel, fit: 'fill', fastShrinkOnLoad: false })
    .raw().toBuffer();
  return { data: new Uint8Array(data), width, height };
}

async function main(): Promise<void> {
  const [outDir, ...files] = process.argv.slice(2);
  mkdirSync(outDir, { recursive: true });
  const tv = makeSpec('torchvision');
  const caffe = makeSpec('caffe');
  const index: unknown[] = [];
  const f32 = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
  for (const [i, file] of files.entries()) {
    try {
      const t0 = performance.now();
      const img = await decodeImageFile(file);
      const t1 = performance.now();
      const tvInput = preprocess(img, tv);
      const t2 = performance.now();
      writeFileSync(join(outDir, `${i}.decoded.u8`), img.data);
      writeFileSync(join(outDir, `${i}.torchvision.f32`), f32(tvInput.data));
      writeFileSync(join(outDir, `${i}.caffe.f32`), f32(preprocess(img, caffe).data));
      const target = shorterSideTarget(img.width, img.height, tv.resizeTo);
      for (const kernel of KERNELS) {
        const resized = await sharpResize(img, target.width, target.height, kernel);
        writeFileSync(join(outDir, `${i}.sharp-${kernel}.f32`), f32(normalise(centerCrop(resized, tv.inputSize), tv.normalisation)));
      }
      const direct = await sharp(file, { ignoreIcc: true }).resize(target.width, target.height, { kernel: 'linear', fit: 'fill' })
        .toColourspace('srgb').removeAlpha().raw().toBuffer({ resolveWithObject: true });
      const directImg = { data: new Uint8Array(direct.data), width: direct.info.width, height: direct.info.height };
      writeFileSync(join(outDir, `${i}.sharp-shrink-on-load.f32`), f32(normalise(centerCrop(directImg, tv.inputSize), tv.normalisation)));
      index.push({ file, width: img.width, height: img.height, format: img.source.format, decodeMs: t1 - t0, preprocessMs: t2 - t1 });
    } catch (e) {
      index.push({ file, error: (e as Error).message });
    }
  }
  writeFileSync(join(outDir, 'index.json'), JSON.stringify(index, null, 1));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
