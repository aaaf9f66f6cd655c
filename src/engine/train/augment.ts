// Turns a 256-resized RGB image into one network input: crop at (x, y), optional horizontal
// flip, optional PCA colour shift, then the variant's normalisation. HWC float32, written in place
// into a batch buffer. Crop/flip parameters come from the caller so they can be seeded per image.
import type { Normalisation } from '../model/spec';
import type { RgbImage } from '../image/decode';

export interface CropParams {
  x: number;
  y: number;
  flip: boolean;
  /** colour shift added to every pixel, RGB, in [0, 1] pixel units (PCA augmentation) */
  shift: [number, number, number];
}

export function centreCrop(img: { width: number; height: number }, size: number): CropParams {
  return { x: Math.floor((img.width - size) / 2), y: Math.floor((img.height - size) / 2), flip: false, shift: [0, 0, 0] };
}

/** Writes size*size*3 floats at out[offset...]. */
export function cropNormalise(img: RgbImage, size: number, p: CropParams, norm: Normalisation, out: Float32Array, offset: number): void {
  const { data, width } = img;
  if (p.x < 0 || p.y < 0 || p.x + size > img.width || p.y + size > img.height) {
    throw new RangeError(`crop ${size}x${size} at ${p.x},${p.y} does not fit a ${img.width}x${img.height} image`);
  }
  // Per channel: out = pixel * scale[c] + bias[c], with the shift folded into bias.
  const scale = [0, 0, 0];
  const bias = [0, 0, 0];
  let order = [0, 1, 2]; // output channel k reads input channel order[k]
  if (norm.kind === 'imagenet-rgb') {
    for (let c = 0; c < 3; c++) {
      scale[c] = 1 / (255 * norm.std[c]);
      bias[c] = (p.shift[c] - norm.mean[c]) / norm.std[c];
    }
  } else {
    order = [2, 1, 0]; // BGR, [0, 255], mean given in B,G,R order
    for (let k = 0; k < 3; k++) {
      scale[k] = 1;
      bias[k] = p.shift[order[k]] * 255 - norm.mean[k];
    }
  }
  const [o0, o1, o2] = order;
  const [s0, s1, s2] = scale;
  const [b0, b1, b2] = bias;
  let o = offset;
  for (let row = 0; row < size; row++) {
    const rowBase = (p.y + row) * width;
    for (let col = 0; col < size; col++) {
      const src = (rowBase + p.x + (p.flip ? size - 1 - col : col)) * 3;
      out[o] = data[src + o0] * s0 + b0;
      out[o + 1] = data[src + o1] * s1 + b1;
      out[o + 2] = data[src + o2] * s2 + b2;
      o += 3;
    }
  }
}

/**
 * The fixed crops of frozen mode, whose features are computed once and cached: the paper's four
 * corner crops and the centre crop of the 256-resized image, each as is and flipped (10 in all).
 * Index 0 is the unflipped centre crop (what validation uses).
 */
export const FIXED_CROP_POSITIONS = ['centre', 'top-left', 'top-right', 'bottom-left', 'bottom-right'] as const;
export type FixedCropPosition = (typeof FIXED_CROP_POSITIONS)[number];

export interface FixedCrop {
  position: FixedCropPosition;
  flip: boolean;
}

/** The variants a run uses: positions only with crop augmentation, mirrored ones only with flips. */
export function fixedCrops(augment: { crop: boolean; flip: boolean }): FixedCrop[] {
  const positions = augment.crop ? FIXED_CROP_POSITIONS : (['centre'] as const);
  const flips = augment.flip ? [false, true] : [false];
  return flips.flatMap((flip) => positions.map((position) => ({ position, flip })));
}

export function fixedCropParams(v: FixedCrop, img: { width: number; height: number }, size: number): CropParams {
  const right = img.width - size;
  const bottom = img.height - size;
  const centre = centreCrop(img, size);
  const [x, y] =
    v.position === 'centre' ? [centre.x, centre.y]
    : v.position === 'top-left' ? [0, 0]
    : v.position === 'top-right' ? [right, 0]
    : v.position === 'bottom-left' ? [0, bottom]
    : [right, bottom];
  return { x, y, flip: v.flip, shift: [0, 0, 0] };
}
