// A small BMP reader: sharp's prebuilt libvips has no BMP loader (it would need ImageMagick).
// Handles what cameras, Paint and PIL write: uncompressed 1/4/8-bit palette, 16/24/32-bit,
// BI_BITFIELDS masks, bottom-up and top-down rows. RLE-compressed and JPEG/PNG-in-BMP are refused.
// Alpha, if any, is dropped (as PIL's convert('RGB') does).
import { ImageDecodeError } from './errors';

export interface BmpHeader {
  width: number;
  height: number;
  bitsPerPixel: number;
  compression: number;
  topDown: boolean;
}

const BI_RGB = 0;
const BI_BITFIELDS = 3;
const BI_ALPHABITFIELDS = 6;
const COMPRESSION_NAMES: Record<number, string> = { 1: 'RLE8', 2: 'RLE4', 4: 'embedded JPEG', 5: 'embedded PNG' };

function corrupt(file: string | undefined, what: string): ImageDecodeError {
  return new ImageDecodeError('corrupt', `damaged BMP: ${what}`, file);
}

export function readBmpHeader(buf: Uint8Array, file?: string): BmpHeader & { dibSize: number; dataOffset: number } {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  if (buf.length < 26) throw new ImageDecodeError('truncated', 'truncated BMP (the header is cut off)', file);
  const dataOffset = view.getUint32(10, true);
  const dibSize = view.getUint32(14, true);
  if (buf.length < 14 + Math.min(dibSize, 40)) throw new ImageDecodeError('truncated', 'truncated BMP (the header is cut off)', file);
  if (dibSize === 12) {
    return { width: view.getUint16(18, true), height: view.getUint16(20, true), bitsPerPixel: view.getUint16(24, true), compression: BI_RGB, topDown: false, dibSize, dataOffset };
  }
  if (dibSize < 40) throw corrupt(file, `unknown header size ${dibSize}`);
  const width = view.getInt32(18, true);
  const rawHeight = view.getInt32(22, true);
  return { width, height: Math.abs(rawHeight), bitsPerPixel: view.getUint16(28, true), compression: view.getUint32(30, true), topDown: rawHeight < 0, dibSize, dataOffset };
}

/** Decodes a BMP to RGB HWC bytes. Call readBmpHeader first to check the size against a limit. */
export function decodeBmp(buf: Uint8Array, file?: string): { data: Uint8Array; width: number; height: number; bitsPerPixel: number } {
  const h = readBmpHeader(buf, file);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const { width, height, bitsPerPixel: bpp, compression } = h;
  if (width <= 0 || height <= 0) throw corrupt(file, `size ${width}x${height}`);
  if (COMPRESSION_NAMES[compression]) {
    throw new ImageDecodeError('unsupported-format', `BMP with ${COMPRESSION_NAMES[compression]} compression is not supported (save it as PNG or JPEG)`, file);
  }
  if (compression !== BI_RGB && compression !== BI_BITFIELDS && compression !== BI_ALPHABITFIELDS) {
    throw new ImageDecodeError('unsupported-format', `BMP compression type ${compression} is not supported`, file);
  }
  if (![1, 4, 8, 16, 24, 32].includes(bpp)) throw corrupt(file, `${bpp} bits per pixel`);

  // Channel masks (16/32-bit): in the header for v3+ headers, right after a 40-byte one otherwise.
  let masks: [number, number, number] | undefined;
  if (bpp === 16 || bpp === 32) {
    if (compression === BI_BITFIELDS || compression === BI_ALPHABITFIELDS) {
      const at = 14 + 40;
      if (buf.length < at + 12) throw new ImageDecodeError('truncated', 'truncated BMP (colour masks are cut off)', file);
      masks = [view.getUint32(at, true), view.getUint32(at + 4, true), view.getUint32(at + 8, true)];
    } else {
      masks = bpp === 16 ? [0x7c00, 0x03e0, 0x001f] : [0xff0000, 0x00ff00, 0x0000ff];
    }
  }

  let palette: Uint8Array | undefined; // RGB triples
  if (bpp <= 8) {
    const entrySize = h.dibSize === 12 ? 3 : 4;
    const colorsUsed = h.dibSize >= 40 ? view.getUint32(46, true) : 0;
    const count = colorsUsed > 0 && colorsUsed <= 1 << bpp ? colorsUsed : 1 << bpp;
    let at = 14 + h.dibSize + (compression === BI_BITFIELDS && h.dibSize === 40 ? 12 : 0);
    palette = new Uint8Array(256 * 3); // indices past the palette read black
    for (let i = 0; i < count && at + 3 <= buf.length && at + 3 <= h.dataOffset; i++, at += entrySize) {
      palette[i * 3] = buf[at + 2];
      palette[i * 3 + 1] = buf[at + 1];
      palette[i * 3 + 2] = buf[at];
    }
  }

  const stride = Math.floor((width * bpp + 31) / 32) * 4;
  if (h.dataOffset + stride * height > buf.length) {
    throw new ImageDecodeError('truncated', `truncated BMP: ${buf.length} bytes, the ${width}x${height} pixel data needs ${h.dataOffset + stride * height}`, file);
  }
  const out = new Uint8Array(width * height * 3);
  const fields = masks?.map(maskField);
  for (let y = 0; y < height; y++) {
    const row = h.dataOffset + (h.topDown ? y : height - 1 - y) * stride;
    let o = y * width * 3;
    for (let x = 0; x < width; x++, o += 3) {
      if (palette) {
        const bit = x * bpp;
        const byte = buf[row + (bit >> 3)];
        const index = bpp === 8 ? byte : (byte >> (8 - bpp - (bit & 7))) & ((1 << bpp) - 1);
        out[o] = palette[index * 3];
        out[o + 1] = palette[index * 3 + 1];
        out[o + 2] = palette[index * 3 + 2];
      } else if (bpp === 24) {
        const p = row + x * 3;
        out[o] = buf[p + 2];
        out[o + 1] = buf[p + 1];
        out[o + 2] = buf[p];
      } else {
        const p = row + x * (bpp / 8);
        const v = bpp === 16 ? view.getUint16(p, true) : view.getUint32(p, true);
        for (let c = 0; c < 3; c++) out[o + c] = fields![c](v);
      }
    }
  }
  return { data: out, width, height, bitsPerPixel: bpp };
}

/** A function taking a pixel word to the 0..255 value of one masked channel. */
function maskField(mask: number): (v: number) => number {
  if (mask === 0) return () => 0;
  let shift = 0;
  while (((mask >>> shift) & 1) === 0) shift++;
  const max = mask >>> shift;
  return (v) => Math.floor((((v & mask) >>> shift) * 255) / max);
}
