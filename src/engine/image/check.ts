// A cheap "will this decode?" for folder scans (issue 13): the signature, the header (sharp reads
// only the metadata; BMP by our reader) and the format's end marker, without decoding the pixels, so
// a truncated or damaged image is listed when the folder is scanned, not skipped mid-training.
import sharp from 'sharp';
import { readBmpHeader } from './bmp';
import { endsEarly } from './decode';
import { ImageDecodeError } from './errors';
import { sniffFormat, type ImageFormat } from './formats';

/** JPEGs may carry a few bytes after their end marker (padding, some cameras' trailers). */
function jpegEndsEarly(buf: Uint8Array): boolean {
  if (!endsEarly(buf, 'jpeg')) return false;
  const from = Math.max(Math.floor(buf.length / 2), buf.length - 1024);
  for (let i = buf.length - 2; i >= from; i--) if (buf[i] === 0xff && buf[i + 1] === 0xd9) return false;
  return true;
}

/** Undefined when the buffer looks like a complete, decodable image; else the problem. */
export async function checkImage(buf: Uint8Array, name?: string): Promise<ImageDecodeError | undefined> {
  if (buf.length === 0) return new ImageDecodeError('empty', 'the file is empty (0 bytes)', name);
  const s = sniffFormat(buf);
  if (s.kind === 'text') return new ImageDecodeError('not-an-image', 'not an image: a text file', name);
  if (s.kind === 'unknown') return new ImageDecodeError('not-an-image', 'not an image: unknown content', name);
  if (s.kind === 'unsupported') return new ImageDecodeError('unsupported-format', `${s.format} images are not supported`, name);
  const format: ImageFormat = s.format;
  try {
    if (format === 'bmp') readBmpHeader(buf, name);
    else {
      const meta = await sharp(buf).metadata();
      if (!meta.width || !meta.height) return new ImageDecodeError('corrupt', `damaged ${format.toUpperCase()}: no image size in its header`, name);
    }
  } catch (e) {
    if (e instanceof ImageDecodeError) return e;
    return new ImageDecodeError('corrupt', `damaged ${format.toUpperCase()}: ${(e as Error).message.trim()}`, name);
  }
  if (format === 'jpeg' ? jpegEndsEarly(buf) : format !== 'bmp' && endsEarly(buf, format)) {
    return new ImageDecodeError('truncated', `truncated ${format.toUpperCase()}: the file ends before the image data does`, name);
  }
  return undefined;
}
