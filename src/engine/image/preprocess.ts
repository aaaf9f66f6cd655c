// Turns a decoded image into the network's input, per ModelSpec:
//   torchvision: Resize(256) -> CenterCrop(224) -> ToTensor (RGB / 255) -> Normalize(ImageNet mean, std)
//   caffe/paper: Resize(256) -> CenterCrop(227) -> BGR, 0..255, minus mean (104, 117, 124) in B,G,R order
// Output is NHWC float32 (what the tfjs model takes). The pieces (resize, crop with flip, normalise)
// are exported so the trainer's random crops and flips go through the same code.
// Resize is Pillow-exact (resize.ts) and normalisation is computed in float32 step by step as torch
// does, so a torchvision pipeline on the same decoded pixels gives the same tensor.
import type { ModelSpec, Normalisation } from '../model/spec';
import { type DecodedImage, type DecodeOptions, type RgbImage, decodeImageFile } from './decode';
import { type ResampleFilter, resizeShorterSide } from './resize';

/** The parts of a ModelSpec preprocessing reads. */
export type PreprocessSpec = Pick<ModelSpec, 'inputSize' | 'resizeTo' | 'normalisation'>;

/** Python's round(): halves go to the even neighbour (torchvision's CenterCrop uses it). */
function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Top-left corner of torchvision's CenterCrop: int(round((size - crop) / 2)) on each axis. */
export function centerCropOrigin(width: number, height: number, cropWidth: number, cropHeight = cropWidth): { x: number; y: number } {
  return { x: roundHalfEven((width - cropWidth) / 2), y: roundHalfEven((height - cropHeight) / 2) };
}

/** Copies the region at (x, y), optionally mirrored left-right (the flip happens inside the crop). */
export function cropRgb(img: RgbImage, x: number, y: number, width: number, height: number, flip = false): RgbImage {
  if (!(Number.isInteger(x) && Number.isInteger(y) && x >= 0 && y >= 0 && width > 0 && height > 0 && x + width <= img.width && y + height <= img.height)) {
    throw new RangeError(`crop ${width}x${height} at (${x}, ${y}) does not fit in a ${img.width}x${img.height} image`);
  }
  const out = new Uint8Array(width * height * 3);
  const rowBytes = width * 3;
  for (let r = 0; r < height; r++) {
    const from = ((y + r) * img.width + x) * 3;
    const to = r * rowBytes;
    if (!flip) {
      out.set(img.data.subarray(from, from + rowBytes), to);
    } else {
      for (let c = 0; c < width; c++) {
        const s = from + (width - 1 - c) * 3;
        const d = to + c * 3;
        out[d] = img.data[s];
        out[d + 1] = img.data[s + 1];
        out[d + 2] = img.data[s + 2];
      }
    }
  }
  return { data: out, width, height };
}

/** torchvision's CenterCrop(size) for an image at least that big. */
export function centerCrop(img: RgbImage, size: number): RgbImage {
  const { x, y } = centerCropOrigin(img.width, img.height, size);
  return cropRgb(img, x, y, size, size);
}

/** Resize(spec.resizeTo): the shorter side becomes resizeTo, as torchvision does on a PIL image. */
export function resizeForModel(img: RgbImage, spec: Pick<ModelSpec, 'resizeTo'>, filter: ResampleFilter = 'bilinear'): RgbImage {
  return resizeShorterSide(img, spec.resizeTo, filter);
}

/**
 * Per channel, the float32 value of every byte, computed in float32 operation by operation
 * (torch: x.float().div(255).sub(mean).div(std)), so lookups are exact and fast.
 * Index [outChannel * 256 + byte]; `sourceChannel[outChannel]` says which RGB byte feeds it.
 */
function lookupTables(norm: Normalisation): { table: Float32Array; sourceChannel: [number, number, number] } {
  const table = new Float32Array(3 * 256);
  const f = Math.fround;
  if (norm.kind === 'imagenet-rgb') {
    for (let c = 0; c < 3; c++) {
      const mean = f(norm.mean[c]);
      const std = f(norm.std[c]);
      for (let v = 0; v < 256; v++) table[c * 256 + v] = f(f(f(v / 255) - mean) / std);
    }
    return { table, sourceChannel: [0, 1, 2] };
  }
  // caffe-bgr: output channel 0 is blue (source 2); mean is given in B,G,R order.
  for (let c = 0; c < 3; c++) {
    const mean = f(norm.mean[c]);
    for (let v = 0; v < 256; v++) table[c * 256 + v] = f(v - mean);
  }
  return { table, sourceChannel: [2, 1, 0] };
}

const tableCache = new WeakMap<Normalisation, ReturnType<typeof lookupTables>>();

/**
 * Writes the normalised HWC float32 values of `img` into `out` at `offset` (default: a new array).
 * Channel order follows the normalisation (RGB for imagenet-rgb, BGR for caffe-bgr).
 */
export function normalise(img: RgbImage, norm: Normalisation, out?: Float32Array, offset = 0): Float32Array {
  let lut = tableCache.get(norm);
  if (!lut) {
    lut = lookupTables(norm);
    tableCache.set(norm, lut);
  }
  const n = img.width * img.height;
  const target = out ?? new Float32Array(n * 3);
  if (offset + n * 3 > target.length) throw new RangeError(`normalise: output has ${target.length} floats, needs ${offset + n * 3}`);
  const { table, sourceChannel: [s0, s1, s2] } = lut;
  const d = img.data;
  for (let i = 0, p = 0, o = offset; i < n; i++, p += 3, o += 3) {
    target[o] = table[d[p + s0]];
    target[o + 1] = table[256 + d[p + s1]];
    target[o + 2] = table[512 + d[p + s2]];
  }
  return target;
}

/** Resize + centre crop, as 8-bit RGB (what the webview shows as "what the network sees"). */
export function modelView(img: RgbImage, spec: PreprocessSpec): RgbImage {
  return centerCrop(resizeForModel(img, spec), spec.inputSize);
}

export interface ModelInput {
  /** NHWC float32 */
  data: Float32Array;
  shape: [number, number, number, 3];
}

/** One image to a [1, inputSize, inputSize, 3] input. */
export function preprocess(img: RgbImage, spec: PreprocessSpec): ModelInput {
  const s = spec.inputSize;
  return { data: normalise(modelView(img, spec), spec.normalisation), shape: [1, s, s, 3] };
}

/** Several images to one [n, inputSize, inputSize, 3] batch. */
export function preprocessBatch(imgs: readonly RgbImage[], spec: PreprocessSpec): ModelInput {
  const s = spec.inputSize;
  const data = new Float32Array(imgs.length * s * s * 3);
  imgs.forEach((img, i) => normalise(modelView(img, spec), spec.normalisation, data, i * s * s * 3));
  return { data, shape: [imgs.length, s, s, 3] };
}

/** Decode + preprocess a file; the decoded image comes back too (for display and its source info). */
export async function preprocessFile(path: string, spec: PreprocessSpec, opts: DecodeOptions = {}): Promise<ModelInput & { image: DecodedImage }> {
  const image = await decodeImageFile(path, opts);
  return { ...preprocess(image, spec), image };
}
