// The project view's disk cache: per model (variant + weights file identity + layer), one small
// file per image, named by the image's identity (absolute path, size, mtime), holding its
// features, its top predictions and its thumbnail. A second look at a folder, or a look after a
// cancelled one, computes only the images not seen before or changed since.
//
// An entry is written to a temporary name and renamed, so a reader sees a whole file or none; a
// file that does not parse (truncated, other format) is treated as missing and rewritten.
import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { join, resolve } from 'node:path';

/** Bump when the entry layout changes: old entries stop matching (their folder is evicted). */
export const FEATURE_STORE_FORMAT = 1;
/** model folders kept (the newest by use) */
export const DEFAULT_STORE_MODELS = 3;
const MAGIC = 0x46505841; // 'AXPF' little-endian

/** What an image's cache entry is keyed by: a changed file gets a new entry. */
export interface ImageIdentity {
  path: string;
  size: number;
  mtimeMs: number;
}

export async function imageIdentity(path: string): Promise<ImageIdentity> {
  const st = await fsp.stat(path);
  return { path: resolve(path), size: st.size, mtimeMs: st.mtimeMs };
}

export interface StoredFeatures {
  features: Float32Array;
  /** class indices and probabilities, best first */
  top: { index: number; probability: number }[];
  /** thumbSize x thumbSize RGB */
  thumbnail: Uint8Array;
  thumbSize: number;
  /** the image's own size */
  width: number;
  height: number;
}

interface EntryHeader {
  identity: ImageIdentity;
  top: StoredFeatures['top'];
  thumbSize: number;
  width: number;
  height: number;
  dims: number;
}

/** A folder name for everything the features depend on besides the image. */
export function modelStoreKey(parts: { variant: string; weights: unknown; layer: string; thumbSize: number }): string {
  const text = JSON.stringify({ format: FEATURE_STORE_FORMAT, ...parts });
  return `${parts.variant}-${parts.layer}-${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
}

function entryName(id: ImageIdentity): string {
  return `${createHash('sha256').update(`${id.path}\0${id.size}\0${id.mtimeMs}`).digest('hex').slice(0, 40)}.bin`;
}

export function encodeEntry(id: ImageIdentity, value: StoredFeatures): Buffer {
  const header: EntryHeader = { identity: id, top: value.top, thumbSize: value.thumbSize, width: value.width, height: value.height, dims: value.features.length };
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const fixed = Buffer.alloc(12);
  fixed.writeUInt32LE(MAGIC, 0);
  fixed.writeUInt32LE(FEATURE_STORE_FORMAT, 4);
  fixed.writeUInt32LE(json.length, 8);
  const features = Buffer.from(value.features.buffer, value.features.byteOffset, value.features.byteLength);
  return Buffer.concat([fixed, json, Buffer.from(value.thumbnail.buffer, value.thumbnail.byteOffset, value.thumbnail.byteLength), features]);
}

/** The entry in `buf` when it is whole and belongs to `id`, else undefined. */
export function decodeEntry(buf: Buffer, id: ImageIdentity): StoredFeatures | undefined {
  if (buf.length < 12 || buf.readUInt32LE(0) !== MAGIC || buf.readUInt32LE(4) !== FEATURE_STORE_FORMAT) return undefined;
  const jsonLen = buf.readUInt32LE(8);
  if (12 + jsonLen > buf.length) return undefined;
  let header: EntryHeader;
  try {
    header = JSON.parse(buf.subarray(12, 12 + jsonLen).toString('utf8')) as EntryHeader;
  } catch {
    return undefined;
  }
  const h = header.identity;
  if (!h || h.path !== id.path || h.size !== id.size || h.mtimeMs !== id.mtimeMs) return undefined;
  const thumbBytes = header.thumbSize * header.thumbSize * 3;
  const start = 12 + jsonLen;
  if (buf.length !== start + thumbBytes + header.dims * 4) return undefined;
  const thumbnail = new Uint8Array(buf.subarray(start, start + thumbBytes));
  // a copy: the features must be 4-byte aligned whatever the header's length
  const features = new Float32Array(header.dims);
  new Uint8Array(features.buffer).set(buf.subarray(start + thumbBytes));
  return { features, top: header.top, thumbnail, thumbSize: header.thumbSize, width: header.width, height: header.height };
}

export class FeatureStore {
  readonly dir: string;
  private touched = false;

  constructor(private readonly root: string, modelKey: string, private readonly keepModels = DEFAULT_STORE_MODELS) {
    this.dir = join(root, modelKey);
  }

  async get(id: ImageIdentity): Promise<StoredFeatures | undefined> {
    let buf: Buffer;
    try {
      buf = await fsp.readFile(join(this.dir, entryName(id)));
    } catch {
      return undefined;
    }
    return decodeEntry(buf, id);
  }

  async put(id: ImageIdentity, value: StoredFeatures): Promise<void> {
    if (!this.touched) await this.open();
    const file = join(this.dir, entryName(id));
    const tmp = `${file}.${process.pid}.tmp`;
    await fsp.writeFile(tmp, encodeEntry(id, value));
    await fsp.rename(tmp, file);
  }

  /** Creates the model folder, marks it as used now and drops the least recently used others. */
  async open(): Promise<void> {
    this.touched = true;
    await fsp.mkdir(this.dir, { recursive: true });
    const now = new Date();
    await fsp.utimes(this.dir, now, now).catch(() => undefined);
    await evictModels(this.root, this.keepModels);
  }
}

/** Keeps the `keep` most recently used model folders under `root`. */
export async function evictModels(root: string, keep: number): Promise<string[]> {
  let names: string[];
  try {
    names = (await fsp.readdir(root, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
  } catch {
    return [];
  }
  const dated = await Promise.all(names.map(async (name) => ({ name, mtime: (await fsp.stat(join(root, name)).catch(() => undefined))?.mtimeMs ?? 0 })));
  dated.sort((a, b) => b.mtime - a.mtime);
  const dropped = dated.slice(keep).map((d) => d.name);
  for (const name of dropped) await fsp.rm(join(root, name), { recursive: true, force: true });
  return dropped;
}
