// Decodes any supported image file to 8-bit RGB, HWC, row-major, the way torchvision's
// `Image.open(path).convert('RGB')` sees it, so that our preprocessing can match PyTorch's:
//   - alpha is DROPPED, not composited (PIL's convert('RGB') keeps the stored colour under transparent pixels)
//   - embedded ICC profiles are ignored by default (PIL ignores them too); `applyIccProfile` opts in
//   - CMYK JPEGs use PIL's naive formula (r = (255-k) - c*(255-k)/255), not an ICC transform
//   - 16-bit samples keep their high byte (as PIL does for 16-bit RGB PNGs)
//   - GIF / multi-page TIFF: the first frame only
// One deliberate difference: EXIF orientation IS applied by default (PIL's Image.open does not),
// because the user expects the picture the way every viewer shows it; `autoOrient: false` turns it off.
// JPEG, PNG, WebP, GIF and TIFF go through sharp (libvips); BMP through our own reader (bmp.ts),
// since sharp's prebuilt libvips has no BMP loader. Every failure is an ImageDecodeError.
import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import { decodeBmp, readBmpHeader } from './bmp';
import { ImageDecodeError } from './errors';
import { type ImageFormat, sniffFormat } from './formats';

/** Decompression-bomb guard: 100 megapixels (a 10000x10000 image, 300 MB of RGB). */
export const DEFAULT_MAX_PIXELS = 100_000_000;

export interface DecodeOptions {
  /** refuse images with more pixels than this (width x height, before any rotation); default 100 megapixels */
  maxPixels?: number;
  /** apply the EXIF orientation tag (default true) */
  autoOrient?: boolean;
  /** convert with the embedded ICC profile to sRGB (default false, as PIL/torchvision) */
  applyIccProfile?: boolean;
  /** a name for messages when decoding a buffer (decodeImageFile passes the path) */
  name?: string;
  /**
   * The shorter side the caller resizes to next (the model's resizeTo). An image whose shorter side
   * is over SHRINK_ABOVE times this is shrunk while it is decoded (libvips streams it; JPEG and
   * WebP decode at reduced size), to SHRINK_TO times it, so memory follows the network's input
   * size, not the photo's. Smaller images are decoded whole: the caller's Pillow-exact resize then
   * matches torchvision bit for bit. Only the huge ones differ slightly (see README).
   */
  shrinkFor?: number;
}

/** Shrink on decode only when the shorter side is over 8x the target (2048 px for 256): past any phone photo. */
export const SHRINK_ABOVE = 8;
/** ...and then to 4x the target (1024 px), leaving the final, Pillow-exact resize a 4x reduction. */
export const SHRINK_TO = 4;

/** An 8-bit RGB image, HWC row-major: pixel (x, y) channel c is data[(y * width + x) * 3 + c]. */
export interface RgbImage {
  data: Uint8Array;
  width: number;
  height: number;
}

export interface SourceInfo {
  format: ImageFormat;
  /** stored size, before EXIF rotation */
  width: number;
  height: number;
  /** colour space as stored: 'srgb', 'b-w' (greyscale), 'cmyk', 'rgb16', 'grey16', 'palette' (BMP), ... */
  space: string;
  channels: number;
  /** bits per sample as stored (8 or 16; 1..32 bits per pixel for BMP) */
  bitDepth: number;
  hasAlpha: boolean;
  /** EXIF orientation tag (1..8; 1 when absent) */
  orientation: number;
  /** frames/pages in the file (only the first is decoded) */
  pages: number;
  progressive: boolean;
  /** set when the image was shrunk while decoding (shrinkFor): the size it had, orientation applied */
  shrunkFrom?: { width: number; height: number };
}

export interface DecodedImage extends RgbImage {
  source: SourceInfo;
}

const SUPPORTED = 'JPEG, PNG, WebP, GIF, TIFF and BMP';

/** Reads and decodes an image file. Throws ImageDecodeError only. */
export async function decodeImageFile(path: string, opts: DecodeOptions = {}): Promise<DecodedImage> {
  let buf: Buffer;
  try {
    buf = await readFile(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' ? 'no such file' :
      code === 'EISDIR' ? 'is a folder, not a file' :
      code === 'EACCES' || code === 'EPERM' ? 'permission denied' :
      `cannot be read (${(e as Error).message})`;
    throw new ImageDecodeError('unreadable', why, path, { cause: e });
  }
  return decodeImage(buf, { ...opts, name: opts.name ?? path });
}

/** Decodes an encoded image held in memory. Throws ImageDecodeError only. */
export async function decodeImage(input: Uint8Array, opts: DecodeOptions = {}): Promise<DecodedImage> {
  const file = opts.name;
  const maxPixels = opts.maxPixels ?? DEFAULT_MAX_PIXELS;
  if (input.length === 0) throw new ImageDecodeError('empty', 'the file is empty (0 bytes), not an image', file);
  const sniffed = sniffFormat(input);
  if (sniffed.kind === 'text') throw new ImageDecodeError('not-an-image', 'not an image: this is a text file', file);
  if (sniffed.kind === 'unknown') {
    const head = Buffer.from(input.subarray(0, 8)).toString('hex').replace(/(..)/g, '$1 ').trim();
    throw new ImageDecodeError('not-an-image', `not an image: the content is no format we know (first bytes ${head}; supported: ${SUPPORTED})`, file);
  }
  if (sniffed.kind === 'unsupported') {
    throw new ImageDecodeError('unsupported-format', `${sniffed.format} images are not supported (supported: ${SUPPORTED})`, file);
  }
  const format = sniffed.format;
  try {
    if (format === 'bmp') return decodeBmpChecked(input, maxPixels, file);
    return await decodeWithSharp(input, format, maxPixels, opts, file);
  } catch (e) {
    if (e instanceof ImageDecodeError) throw e;
    // A damaged file that tripped something we did not foresee still gets our type.
    throw new ImageDecodeError('corrupt', `damaged ${format.toUpperCase()}: ${(e as Error)?.message ?? String(e)}`, file, { cause: e });
  }
}

function tooLarge(width: number, height: number, maxPixels: number, file: string | undefined): ImageDecodeError {
  const size = (n: number) => (n >= 1e7 ? `${Math.round(n / 1e6)} megapixels` : n >= 1e6 ? `${(n / 1e6).toFixed(1)} megapixels` : `${n} pixels`);
  return new ImageDecodeError(
    'too-large',
    `image is ${width}x${height} (${size(width * height)}), over the limit of ${size(maxPixels)} (a guard against decompression bombs; raise maxPixels to allow it)`,
    file,
  );
}

function decodeBmpChecked(input: Uint8Array, maxPixels: number, file: string | undefined): DecodedImage {
  const header = readBmpHeader(input, file);
  if (header.width * header.height > maxPixels) throw tooLarge(header.width, header.height, maxPixels, file);
  const { data, width, height, bitsPerPixel } = decodeBmp(input, file);
  return {
    data, width, height,
    source: {
      format: 'bmp', width, height, space: bitsPerPixel <= 8 ? 'palette' : 'srgb', channels: bitsPerPixel === 32 ? 4 : 3,
      bitDepth: bitsPerPixel, hasAlpha: false, orientation: 1, pages: 1, progressive: false,
    },
  };
}

/** Turns libvips/sharp's messages into our codes; the original text stays in the message. */
function fromSharpError(e: unknown, input: Uint8Array, format: ImageFormat, file: string | undefined): ImageDecodeError {
  const msg = e instanceof Error ? e.message : String(e);
  const name = format.toUpperCase();
  if (endsEarly(input, format) || /premature end|truncat|unexpected end|end of (file|stream|data)|not enough (image )?data|read error|insufficient image data|EOF|short read|too short/i.test(msg)) {
    return new ImageDecodeError('truncated', `truncated ${name}: the file ends before the image data does (${msg.trim()})`, file, { cause: e });
  }
  if (/unsupported image format/i.test(msg)) {
    return new ImageDecodeError('corrupt', `starts like a ${name} but the decoder does not recognise it (${msg.trim()})`, file, { cause: e });
  }
  return new ImageDecodeError('corrupt', `damaged ${name}: ${msg.trim()}`, file, { cause: e });
}

async function decodeWithSharp(input: Uint8Array, format: ImageFormat, maxPixels: number, opts: DecodeOptions, file: string | undefined): Promise<DecodedImage> {
  const sharpOpts: sharp.SharpOptions = {
    // PIL raises on a truncated file and ignores libjpeg's minor warnings ("extraneous bytes"); so do we.
    failOn: 'truncated',
    limitInputPixels: maxPixels,
    ignoreIcc: !opts.applyIccProfile,
  };
  let meta: sharp.Metadata;
  try {
    meta = await sharp(input, { ...sharpOpts, limitInputPixels: false }).metadata();
  } catch (e) {
    throw fromSharpError(e, input, format, file);
  }
  const width = meta.width ?? 0;
  const height = meta.height ?? 0;
  if (!(width > 0 && height > 0)) throw new ImageDecodeError('corrupt', `damaged ${format.toUpperCase()}: no valid size in the header`, file);
  if (width * height > maxPixels) throw tooLarge(width, height, maxPixels, file);

  const space = meta.space ?? 'srgb';
  const orient = opts.autoOrient ?? true;
  const swapped = orient && (meta.orientation ?? 1) >= 5;
  const [shownW, shownH] = swapped ? [height, width] : [width, height];
  let shrink: { width: number; height: number } | undefined;
  if (opts.shrinkFor && Math.min(shownW, shownH) > SHRINK_ABOVE * opts.shrinkFor) {
    const scale = (SHRINK_TO * opts.shrinkFor) / Math.min(shownW, shownH);
    shrink = { width: Math.max(1, Math.round(shownW * scale)), height: Math.max(1, Math.round(shownH * scale)) };
  }
  // resize() after autoOrient() works on the oriented image; sequential access keeps only a strip in memory
  const shrunk = (pipe: sharp.Sharp) => (shrink ? pipe.resize(shrink.width, shrink.height, { fit: 'fill', kernel: 'lanczos3' }) : pipe);
  let out: RgbImage;
  try {
    if (space === 'cmyk') {
      // Keep the raw CMYK samples (no ICC) and convert like PIL.
      let pipe = sharp(input, { ...sharpOpts, sequentialRead: true }).pipelineColourspace('cmyk').toColourspace('cmyk');
      if (orient) pipe = pipe.autoOrient();
      pipe = shrunk(pipe);
      const { data, info } = await pipe.raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
      out = { data: cmykToRgb(data, info.channels), width: info.width, height: info.height };
    } else {
      let pipe = sharp(input, { ...sharpOpts, sequentialRead: true }).toColourspace('srgb').removeAlpha();
      if (orient) pipe = pipe.autoOrient();
      pipe = shrunk(pipe);
      const { data, info } = await pipe.raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
      out = { data: toRgb(data, info.channels), width: info.width, height: info.height };
    }
  } catch (e) {
    throw fromSharpError(e, input, format, file);
  }
  const depth = meta.depth === 'ushort' || meta.depth === 'short' ? 16 : meta.depth === 'uint' || meta.depth === 'int' || meta.depth === 'float' ? 32 : 8;
  return {
    ...out,
    source: {
      format, width, height, space, channels: meta.channels ?? 3, bitDepth: depth,
      hasAlpha: meta.hasAlpha ?? false, orientation: meta.orientation ?? 1, pages: meta.pages ?? 1,
      progressive: meta.isProgressive ?? false,
      ...(shrink ? { shrunkFrom: { width: shownW, height: shownH } } : {}),
    },
  };
}

/**
 * Structural signs that a file was cut short, for the formats whose decoders report it vaguely
 * (libtiff: "unsupported image format", libwebp: "unable to parse image"). Only consulted after a failure.
 */
/** Whether the file ends before the format's end marker (a cut-off download or copy). */
export function endsEarly(buf: Uint8Array, format: ImageFormat): boolean {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const n = buf.length;
  switch (format) {
    case 'webp':
      return n < 12 || view.getUint32(4, true) + 8 > n;
    case 'tiff': {
      if (n < 8) return true;
      const little = buf[0] === 0x49;
      const ifd = view.getUint32(4, little);
      return ifd + 2 > n || ifd + 2 + view.getUint16(ifd, little) * 12 + 4 > n;
    }
    case 'jpeg':
      return !(buf[n - 2] === 0xff && buf[n - 1] === 0xd9);
    case 'png':
      return n < 12 || Buffer.from(buf.subarray(n - 12)).toString('latin1', 4, 8) !== 'IEND';
    case 'gif':
      return buf[n - 1] !== 0x3b;
    default:
      return false;
  }
}

/** sharp already gives 3 channels for sRGB output; this only guards against 1/2/4-channel surprises. */
function toRgb(data: Buffer, channels: number): Uint8Array {
  const rgb = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (channels === 3) return rgb;
  const n = data.length / channels;
  const out = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) {
    const p = i * channels;
    const grey = channels < 3;
    out[i * 3] = data[p];
    out[i * 3 + 1] = data[grey ? p : p + 1];
    out[i * 3 + 2] = data[grey ? p : p + 2];
  }
  return out;
}

/** PIL's cmyk2rgb (Convert.c): nk = 255 - k; r = clip(nk - c * nk / 255) with its rounding MULDIV255. */
export function cmykToRgb(data: Uint8Array, channels = 4): Uint8Array {
  const n = data.length / channels;
  const out = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) {
    const p = i * channels;
    const nk = 255 - data[p + 3];
    for (let c = 0; c < 3; c++) {
      const t = data[p + c] * nk + 128;
      const v = nk - (((t >> 8) + t) >> 8);
      out[i * 3 + c] = v < 0 ? 0 : v > 255 ? 255 : v;
    }
  }
  return out;
}
