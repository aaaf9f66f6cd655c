// Which files are images (by name) and which format a buffer holds (by its first bytes).
// Sniffing the bytes, not trusting the extension, is what lets us tell "a text file named .jpg"
// from "a JPEG we could not read".

export type ImageFormat = 'jpeg' | 'png' | 'webp' | 'gif' | 'tiff' | 'bmp';

// Which names are images is a protocol constant (the host and package.json use the same list).
export { IMAGE_EXTENSIONS, isImagePath } from '../../protocol/imageFiles';

export type Sniffed =
  | { kind: 'supported'; format: ImageFormat }
  | { kind: 'unsupported'; format: string }
  | { kind: 'text' }
  | { kind: 'unknown' };

function startsWith(buf: Uint8Array, bytes: number[], at = 0): boolean {
  if (buf.length < at + bytes.length) return false;
  return bytes.every((b, i) => buf[at + i] === b);
}
function ascii(buf: Uint8Array, at: number, len: number): string {
  return String.fromCharCode(...buf.subarray(at, at + len));
}

/** Identifies a buffer by its signature. */
export function sniffFormat(buf: Uint8Array): Sniffed {
  if (startsWith(buf, [0xff, 0xd8, 0xff])) return { kind: 'supported', format: 'jpeg' };
  if (startsWith(buf, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return { kind: 'supported', format: 'png' };
  if (ascii(buf, 0, 6) === 'GIF87a' || ascii(buf, 0, 6) === 'GIF89a') return { kind: 'supported', format: 'gif' };
  if (ascii(buf, 0, 4) === 'RIFF' && ascii(buf, 8, 4) === 'WEBP') return { kind: 'supported', format: 'webp' };
  if (startsWith(buf, [0x49, 0x49, 0x2a, 0x00]) || startsWith(buf, [0x4d, 0x4d, 0x00, 0x2a])) return { kind: 'supported', format: 'tiff' };
  if (ascii(buf, 0, 2) === 'BM' && buf.length >= 18) return { kind: 'supported', format: 'bmp' };
  // Image formats people may drop in a folder that we do not read: name them in the message.
  if (ascii(buf, 4, 4) === 'ftyp') {
    const brand = ascii(buf, 8, 4);
    return { kind: 'unsupported', format: brand.startsWith('avi') ? 'AVIF' : brand.startsWith('he') || brand.startsWith('mif') ? 'HEIC/HEIF' : `ISO media (${brand.trim()})` };
  }
  if (startsWith(buf, [0x49, 0x49, 0x2b, 0x00]) || startsWith(buf, [0x4d, 0x4d, 0x00, 0x2b])) return { kind: 'unsupported', format: 'BigTIFF' };
  if (ascii(buf, 0, 4) === '8BPS') return { kind: 'unsupported', format: 'Photoshop PSD' };
  if (startsWith(buf, [0x00, 0x00, 0x01, 0x00])) return { kind: 'unsupported', format: 'ICO' };
  if (startsWith(buf, [0x00, 0x00, 0x00, 0x0c, 0x6a, 0x50]) || startsWith(buf, [0xff, 0x4f, 0xff, 0x51])) return { kind: 'unsupported', format: 'JPEG 2000' };
  if (startsWith(buf, [0xff, 0x0a]) || startsWith(buf, [0x00, 0x00, 0x00, 0x0c, 0x4a, 0x58, 0x4c, 0x20])) return { kind: 'unsupported', format: 'JPEG XL' };
  if (ascii(buf, 0, 5) === '%PDF-') return { kind: 'unsupported', format: 'PDF' };
  if (/^P[1-7]\s/.test(ascii(buf, 0, 3))) return { kind: 'unsupported', format: 'PNM/PPM' };
  const head = ascii(buf, 0, 512).replace(/^\ufeff|^\xef\xbb\xbf/, '').trimStart();
  if (/^(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*(<!DOCTYPE svg[^>]*>\s*)?<svg[\s>]/i.test(head)) return { kind: 'unsupported', format: 'SVG' };
  if (looksLikeText(buf)) return { kind: 'text' };
  return { kind: 'unknown' };
}

/** No NULs and almost only printable/whitespace bytes in the first KiB (UTF-8 high bytes allowed). */
function looksLikeText(buf: Uint8Array): boolean {
  const n = Math.min(buf.length, 1024);
  let odd = 0;
  for (let i = 0; i < n; i++) {
    const b = buf[i];
    if (b === 0) return false;
    if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x0c) odd++;
  }
  return n > 0 && odd <= n / 100;
}
