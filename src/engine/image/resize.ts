// Pillow's resampling (libImaging/Resample.c, Pillow 9.x), re-implemented so that our resize gives
// the same bytes as torchvision.transforms.Resize on a PIL image: a separable convolution whose
// kernel is widened by the scale factor when shrinking (antialiasing), horizontal pass first,
// each pass rounded to 8 bits with Pillow's 22-bit fixed-point coefficients.
// sharp's kernels cannot do this: none of them is Pillow's scaled triangle (see scripts/compare-preprocess.py).
import type { RgbImage } from './decode';

export type ResampleFilter = 'bilinear' | 'bicubic';

interface Filter { support: number; weight(x: number): number }
const FILTERS: Record<ResampleFilter, Filter> = {
  bilinear: {
    support: 1,
    weight: (x) => {
      const ax = Math.abs(x);
      return ax < 1 ? 1 - ax : 0;
    },
  },
  bicubic: {
    support: 2,
    weight: (x) => {
      const a = -0.5;
      const ax = Math.abs(x);
      if (ax < 1) return ((a + 2) * ax - (a + 3)) * ax * ax + 1;
      if (ax < 2) return (((ax - 5) * ax + 8) * ax - 4) * a;
      return 0;
    },
  },
};

const PRECISION_BITS = 32 - 8 - 2;
const HALF = 1 << (PRECISION_BITS - 1);
const OVERFLOW = 1 << (PRECISION_BITS + 8);

interface Coeffs { ksize: number; bounds: Int32Array; kk: Int32Array }

/** precompute_coeffs + normalize_coeffs_8bpc: for each output index, its first input index, tap count and weights. */
function precomputeCoeffs(inSize: number, outSize: number, filter: Filter): Coeffs {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = filter.support * filterScale;
  const ksize = Math.ceil(support) * 2 + 1;
  const bounds = new Int32Array(outSize * 2);
  const kk = new Int32Array(outSize * ksize);
  const k = new Float64Array(ksize);
  const ss = 1 / filterScale;
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale;
    const xmin = Math.max(Math.trunc(center - support + 0.5), 0);
    const xmax = Math.min(Math.trunc(center + support + 0.5), inSize) - xmin;
    let ww = 0;
    for (let x = 0; x < xmax; x++) {
      const w = filter.weight((x + xmin - center + 0.5) * ss);
      k[x] = w;
      ww += w;
    }
    for (let x = 0; x < xmax; x++) {
      const w = ww !== 0 ? k[x] / ww : k[x];
      kk[xx * ksize + x] = Math.trunc(w < 0 ? -0.5 + w * (1 << PRECISION_BITS) : 0.5 + w * (1 << PRECISION_BITS));
    }
    bounds[xx * 2] = xmin;
    bounds[xx * 2 + 1] = xmax;
  }
  return { ksize, bounds, kk };
}

function clip8(v: number): number {
  if (v >= OVERFLOW) return 255;
  if (v <= 0) return 0;
  return v >> PRECISION_BITS;
}

/** Resizes an RGB image exactly as Pillow's Image.resize((width, height), BILINEAR | BICUBIC) does. */
export function resizeRgb(img: RgbImage, width: number, height: number, filterName: ResampleFilter = 'bilinear'): RgbImage {
  if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0)) {
    throw new RangeError(`resize target must be positive integers, got ${width}x${height}`);
  }
  if (width === img.width && height === img.height) return { data: img.data.slice(), width, height };
  const filter = FILTERS[filterName];
  const horiz = precomputeCoeffs(img.width, width, filter);
  const vert = precomputeCoeffs(img.height, height, filter);
  const src = img.data;

  // Horizontal pass over only the rows the vertical pass will read.
  let tmp = src;
  let tmpWidth = img.width;
  let rowOffset = 0;
  if (width !== img.width) {
    const first = vert.bounds[0];
    const last = vert.bounds[height * 2 - 2] + vert.bounds[height * 2 - 1];
    rowOffset = first;
    tmp = new Uint8Array((last - first) * width * 3);
    tmpWidth = width;
    const { ksize, bounds, kk } = horiz;
    for (let y = first; y < last; y++) {
      const inRow = y * img.width * 3;
      let o = (y - first) * width * 3;
      for (let xx = 0; xx < width; xx++, o += 3) {
        const xmin = bounds[xx * 2];
        const xmax = bounds[xx * 2 + 1];
        const kb = xx * ksize;
        let s0 = HALF;
        let s1 = HALF;
        let s2 = HALF;
        let p = inRow + xmin * 3;
        for (let x = 0; x < xmax; x++, p += 3) {
          const w = kk[kb + x];
          s0 += src[p] * w;
          s1 += src[p + 1] * w;
          s2 += src[p + 2] * w;
        }
        tmp[o] = clip8(s0);
        tmp[o + 1] = clip8(s1);
        tmp[o + 2] = clip8(s2);
      }
    }
  }
  if (height === img.height) return { data: tmp, width, height };

  const out = new Uint8Array(width * height * 3);
  const { ksize, bounds, kk } = vert;
  const rowLen = tmpWidth * 3;
  // Row by row with an accumulator row, so the taps read memory in order (exact: float64 holds these integers).
  const acc = new Float64Array(rowLen);
  for (let yy = 0; yy < height; yy++) {
    const ymin = bounds[yy * 2] - rowOffset;
    const ymax = bounds[yy * 2 + 1];
    const kb = yy * ksize;
    acc.fill(HALF);
    for (let y = 0; y < ymax; y++) {
      const w = kk[kb + y];
      const p = (ymin + y) * rowLen;
      for (let i = 0; i < rowLen; i++) acc[i] += tmp[p + i] * w;
    }
    const o = yy * rowLen;
    for (let i = 0; i < rowLen; i++) out[o + i] = clip8(acc[i]);
  }
  return { data: out, width, height };
}

/**
 * torchvision's Resize(size) target for an int size: the shorter side becomes `size`, the longer
 * int(size * long / short) (truncated, as Python's int() does).
 */
export function shorterSideTarget(width: number, height: number, size: number): { width: number; height: number } {
  const short = Math.min(width, height);
  const long = Math.max(width, height);
  const newLong = Math.trunc((size * long) / short);
  return width <= height ? { width: size, height: newLong } : { width: newLong, height: size };
}

/** torchvision.transforms.Resize(size) on a PIL image (bilinear, antialiased): the shorter side becomes `size`. */
export function resizeShorterSide(img: RgbImage, size: number, filter: ResampleFilter = 'bilinear'): RgbImage {
  const t = shorterSideTarget(img.width, img.height, size);
  return resizeRgb(img, t.width, t.height, filter);
}
