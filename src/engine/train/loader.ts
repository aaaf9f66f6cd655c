// Image loading for training: decode (image/decode.ts) + resize the shorter side to 256 with sharp,
// both on libuv's thread pool, with an in-memory cache of the resized images (small datasets are
// then decoded once), and a prefetch queue that assembles batches ahead of the model.
import sharp from 'sharp';
import { decodeImageFile, type RgbImage } from '../image/decode';
import { isImageDecodeError } from '../image/errors';
import type { SkippedFile } from '../../protocol/engine/train';

export class ImageSource {
  private cache = new Map<string, RgbImage>();
  private failed = new Map<string, SkippedFile>();
  private cachedBytes = 0;
  private running = 0;
  private waiting: (() => void)[] = [];

  constructor(readonly resizeTo = 256, private readonly cacheBudgetBytes = 768 * 2 ** 20, private readonly concurrency = 4) {}

  /** The image with its shorter side resized to `resizeTo`; throws a SkippedFile-shaped error when it cannot be decoded. */
  async load(path: string): Promise<RgbImage> {
    const hit = this.cache.get(path);
    if (hit) return hit;
    const known = this.failed.get(path);
    if (known) throw known;
    await this.acquire();
    try {
      const img = await this.decodeResized(path);
      if (this.cachedBytes + img.data.byteLength <= this.cacheBudgetBytes) {
        this.cache.set(path, img);
        this.cachedBytes += img.data.byteLength;
      }
      return img;
    } catch (e) {
      const skipped: SkippedFile = isImageDecodeError(e)
        ? { path, code: e.code, reason: e.message }
        : { path, code: 'corrupt', reason: `${path}: ${(e as Error).message}` };
      this.failed.set(path, skipped);
      throw skipped;
    } finally {
      this.release();
    }
  }

  private async decodeResized(path: string): Promise<RgbImage> {
    const img = await decodeImageFile(path);
    const s = this.resizeTo / Math.min(img.width, img.height);
    const width = Math.max(this.resizeTo, Math.round(img.width * s));
    const height = Math.max(this.resizeTo, Math.round(img.height * s));
    if (width === img.width && height === img.height) return img;
    const { data } = await sharp(Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength), {
      raw: { width: img.width, height: img.height, channels: 3 },
    })
      .resize(width, height, { fit: 'fill', kernel: 'lanczos3' })
      .raw()
      .toBuffer({ resolveWithObject: true });
    return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width, height };
  }

  private acquire(): Promise<void> {
    if (this.running < this.concurrency) {
      this.running++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.running--;
  }
}

export function isSkippedFile(e: unknown): e is SkippedFile {
  return typeof e === 'object' && e !== null && 'path' in e && 'code' in e && 'reason' in e && !(e instanceof Error);
}

/** Keeps up to `ahead` batches being built while the consumer works on the current one. */
export class Prefetcher<T> {
  private started: Promise<T>[] = [];
  private nextIndex = 0;

  constructor(private readonly count: number, private readonly build: (index: number) => Promise<T>, private readonly ahead = 2) {}

  private fill(): void {
    while (this.started.length < this.count && this.started.length < this.nextIndex + this.ahead + 1) {
      const p = this.build(this.started.length);
      p.catch(() => undefined); // surfaced by next(); avoid an unhandled rejection meanwhile
      this.started.push(p);
    }
  }

  /** The next batch and how long we waited for it. */
  async next(): Promise<{ value: T; waitMs: number } | undefined> {
    if (this.nextIndex >= this.count) return undefined;
    this.fill();
    const t0 = performance.now();
    const value = await this.started[this.nextIndex];
    const waitMs = performance.now() - t0;
    this.started[this.nextIndex] = undefined as unknown as Promise<T>; // let the batch be collected
    this.nextIndex++;
    this.fill();
    return { value, waitMs };
  }
}
