// A disk cache of built ONNX models, so a second start skips building and encoding the graph and
// ONNX Runtime reads the model from a file (no 244 MB protobuf in JS, no parse of embedded weights).
//
// An entry is three files named by its key:
//   KEY.onnx     the graph; every large initializer is external data in KEY.weights
//   KEY.weights  raw little-endian tensors at 64 KiB-aligned offsets (ORT maps them), then a trailer
//   KEY.json     the manifest, written last: format, sizes, the spec, the graph's input/output names
// Each file is written to a temporary name and renamed, so a reader sees whole files or none; a
// manifest whose files do not match it (size, header, trailer) is deleted and the entry rebuilt.
import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { ModelSpec } from '../model/spec';
import type { BuiltGraph, LrnMode } from './graph';
import { encodeModel, type OnnxGraph, type OnnxTensor } from './onnxProto';

/** Bump when the graph, the encoding or the file layout changes: old entries stop matching. */
export const ONNX_CACHE_FORMAT = 1;
/** entries kept by default (each ~ the weights file's size) */
export const DEFAULT_CACHE_ENTRIES = 3;
// Windows maps files at 64 KiB granularity; aligned offsets let ORT map every tensor.
const ALIGN = 65536;
// Tensors under this stay inline in the .onnx (constants, biases: not worth a mapping).
const EXTERNAL_MIN_BYTES = 4096;
const TRAILER_MAGIC = 'ALEXNET-ONNX-WTS';
const TRAILER_BYTES = 64;
// ModelProto starts with ir_version (field 1, varint): tag 0x08, then 7.
const ONNX_HEADER = [0x08, 0x07];

/** What identifies a weights file's contents: its SHA-256 when known, else path + size + mtime. */
export type WeightsIdentity = { sha256: string } | { path: string; size: number; mtimeMs: number };

export async function weightsFileIdentity(path: string): Promise<WeightsIdentity> {
  const st = await fsp.stat(path);
  return { path: resolve(path), size: st.size, mtimeMs: st.mtimeMs };
}

export interface CacheKeyParts {
  weights: WeightsIdentity;
  /** the variant asked for (the spec follows from it and the file) */
  variant: string;
  collect?: readonly string[];
  lrn?: LrnMode;
}

/** A file-name-safe key covering everything the cached model depends on. */
export function onnxCacheKey(parts: CacheKeyParts): string {
  const text = JSON.stringify({
    format: ONNX_CACHE_FORMAT,
    weights: parts.weights,
    variant: parts.variant,
    collect: [...(parts.collect ?? [])].sort(),
    lrn: parts.lrn ?? null,
  });
  return `${parts.variant}-${createHash('sha256').update(text).digest('hex').slice(0, 32)}`;
}

/** The CLI's cache folder ($XDG_CACHE_HOME or ~/.cache, /alexnet-explorer/onnx). */
export function defaultOnnxCacheDir(): string {
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'alexnet-explorer', 'onnx');
}

interface Manifest {
  format: number;
  key: string;
  onnxBytes: number;
  weightsBytes: number;
  spec: ModelSpec;
  inputName: string;
  logitsName: string;
  probabilitiesName: string;
  activationNames: [string, string][];
}

export interface CachedModel {
  key: string;
  /** the .onnx file to give InferenceSession.create */
  modelPath: string;
  spec: ModelSpec;
  inputName: string;
  logitsName: string;
  probabilitiesName: string;
  activationNames: Map<string, string>;
}

const paths = (dir: string, key: string) => ({
  onnx: join(dir, `${key}.onnx`),
  weights: join(dir, `${key}.weights`),
  manifest: join(dir, `${key}.json`),
});

function trailer(key: string): Buffer {
  const b = Buffer.alloc(TRAILER_BYTES);
  b.write(`${TRAILER_MAGIC}\n${key}`.slice(0, TRAILER_BYTES), 'latin1');
  return b;
}

/** Removes an entry's files (missing ones are fine). */
export async function removeCachedModel(dir: string, key: string): Promise<void> {
  const p = paths(dir, key);
  await Promise.all([p.manifest, p.onnx, p.weights].map((f) => fsp.rm(f, { force: true })));
}

/**
 * The entry for `key` when it is complete and consistent; undefined when absent. A broken entry
 * (truncated, wrong header or trailer, other format) is deleted and reported as absent.
 */
export async function readCachedModel(dir: string, key: string): Promise<CachedModel | undefined> {
  const p = paths(dir, key);
  let text: string;
  try {
    text = await fsp.readFile(p.manifest, 'utf8');
  } catch {
    return undefined;
  }
  const problem = await checkEntry(p, key, text).catch((e: Error) => `cannot be read (${e.message})`);
  if (typeof problem === 'string') {
    console.warn(`ONNX model cache entry ${key} is unusable (${problem}); rebuilding it`);
    await removeCachedModel(dir, key);
    return undefined;
  }
  // the manifest's mtime orders entries for eviction: a hit makes it the newest
  const now = new Date();
  await fsp.utimes(p.manifest, now, now).catch(() => undefined);
  const m = problem;
  return {
    key,
    modelPath: p.onnx,
    spec: m.spec,
    inputName: m.inputName,
    logitsName: m.logitsName,
    probabilitiesName: m.probabilitiesName,
    activationNames: new Map(m.activationNames),
  };
}

async function checkEntry(p: ReturnType<typeof paths>, key: string, manifestText: string): Promise<Manifest | string> {
  let m: Manifest;
  try {
    m = JSON.parse(manifestText) as Manifest;
  } catch {
    return 'manifest is not JSON';
  }
  const shapeProblem = manifestProblem(m);
  if (shapeProblem) return `manifest ${shapeProblem}`;
  if (m.format !== ONNX_CACHE_FORMAT || m.key !== key) return `format ${m.format}, key ${m.key}`;
  const [onnxSize, weightsSize] = await Promise.all([p.onnx, p.weights].map((f) => fsp.stat(f).then((s) => s.size, () => -1)));
  if (onnxSize !== m.onnxBytes) return `${key}.onnx has ${onnxSize} bytes, expected ${m.onnxBytes}`;
  if (weightsSize !== m.weightsBytes) return `${key}.weights has ${weightsSize} bytes, expected ${m.weightsBytes}`;
  const head = await readAt(p.onnx, 0, ONNX_HEADER.length);
  if (!ONNX_HEADER.every((b, i) => head[i] === b)) return `${key}.onnx does not start like an ONNX model`;
  const tail = await readAt(p.weights, m.weightsBytes - TRAILER_BYTES, TRAILER_BYTES);
  if (!tail.equals(trailer(key))) return `${key}.weights lacks its trailer`;
  return m;
}

/** What is wrong with a parsed manifest's shape (any JSON can be in the file), or undefined. */
function manifestProblem(m: unknown): string | undefined {
  if (typeof m !== 'object' || m === null || Array.isArray(m)) return 'is not a JSON object';
  const r = m as Record<string, unknown>;
  for (const k of ['onnxBytes', 'weightsBytes'] as const) if (!Number.isSafeInteger(r[k]) || (r[k] as number) < TRAILER_BYTES) return `${k} is not a size`;
  for (const k of ['key', 'inputName', 'logitsName', 'probabilitiesName'] as const) if (typeof r[k] !== 'string') return `${k} is not a string`;
  const spec = r.spec as Record<string, unknown> | null;
  if (typeof spec !== 'object' || spec === null || typeof spec.variant !== 'string' || !Array.isArray(spec.layers) || !Number.isInteger(spec.inputSize)) return 'spec is malformed';
  const names = r.activationNames;
  if (!Array.isArray(names) || !names.every((p) => Array.isArray(p) && p.length === 2 && p.every((x) => typeof x === 'string'))) return 'activationNames are malformed';
  return undefined;
}

async function readAt(path: string, position: number, length: number): Promise<Buffer> {
  const fh = await fsp.open(path, 'r');
  try {
    const b = Buffer.alloc(length);
    const { bytesRead } = await fh.read(b, 0, length, position);
    return b.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/**
 * Writes `built` as the entry `key`: large initializers go once, straight from their arrays, into
 * KEY.weights; the graph referring to them into KEY.onnx; the manifest last. Then evicts old entries.
 */
export async function writeCachedModel(dir: string, key: string, spec: ModelSpec, built: BuiltGraph, keep = DEFAULT_CACHE_ENTRIES): Promise<CachedModel> {
  await fsp.mkdir(dir, { recursive: true });
  const p = paths(dir, key);
  const tmp = (f: string) => `${f}.tmp-${process.pid}-${Date.now()}`;
  const weightsName = `${key}.weights`;
  // the graph with external references; the caller's graph is left as it was
  const initializers: OnnxTensor[] = [];
  const blobs: { offset: number; data: Float32Array }[] = [];
  let offset = 0;
  for (const t of built.graph.initializers) {
    if (t.data instanceof Float32Array && t.data.byteLength >= EXTERNAL_MIN_BYTES) {
      offset = Math.ceil(offset / ALIGN) * ALIGN;
      blobs.push({ offset, data: t.data });
      initializers.push({ ...t, external: { location: weightsName, offset, length: t.data.byteLength } });
      offset += t.data.byteLength;
    } else initializers.push(t);
  }
  const weightsBytes = offset + TRAILER_BYTES;
  const graph: OnnxGraph = { ...built.graph, initializers };
  const model = encodeModel(graph);

  const tmpWeights = tmp(p.weights);
  const tmpOnnx = tmp(p.onnx);
  const tmpManifest = tmp(p.manifest);
  try {
    const fh = await fsp.open(tmpWeights, 'w');
    try {
      for (const b of blobs) await fh.write(new Uint8Array(b.data.buffer, b.data.byteOffset, b.data.byteLength), 0, b.data.byteLength, b.offset);
      await fh.write(trailer(key), 0, TRAILER_BYTES, offset);
    } finally {
      await fh.close();
    }
    await fsp.writeFile(tmpOnnx, model);
    const manifest: Manifest = {
      format: ONNX_CACHE_FORMAT,
      key,
      onnxBytes: model.byteLength,
      weightsBytes,
      spec,
      inputName: built.inputName,
      logitsName: built.logitsName,
      probabilitiesName: built.probabilitiesName,
      activationNames: [...built.activationNames],
    };
    await fsp.writeFile(tmpManifest, JSON.stringify(manifest));
    await fsp.rename(tmpWeights, p.weights);
    await fsp.rename(tmpOnnx, p.onnx);
    await fsp.rename(tmpManifest, p.manifest);
    // the same clock as a hit's touch (file times come from a coarser kernel clock)
    const now = new Date();
    await fsp.utimes(p.manifest, now, now);
  } catch (e) {
    await Promise.all([tmpWeights, tmpOnnx, tmpManifest].map((f) => fsp.rm(f, { force: true })));
    throw e;
  }
  await evictOnnxCache(dir, keep).catch(() => undefined);
  return {
    key,
    modelPath: p.onnx,
    spec,
    inputName: built.inputName,
    logitsName: built.logitsName,
    probabilitiesName: built.probabilitiesName,
    activationNames: new Map(built.activationNames),
  };
}

/**
 * Keeps the `keep` most recently used entries (by manifest mtime) and removes the rest, plus files
 * of no entry (a crash between renames, leftovers older than a minute). Returns the removed keys.
 */
export async function evictOnnxCache(dir: string, keep = DEFAULT_CACHE_ENTRIES): Promise<string[]> {
  const names = await fsp.readdir(dir).catch(() => [] as string[]);
  const manifests = await Promise.all(
    names
      .filter((n) => n.endsWith('.json'))
      .map(async (n) => ({ key: n.slice(0, -'.json'.length), mtimeMs: await fsp.stat(join(dir, n)).then((s) => s.mtimeMs, () => 0) })),
  );
  manifests.sort((a, b) => b.mtimeMs - a.mtimeMs);
  const removed = manifests.slice(keep).map((m) => m.key);
  for (const key of removed) await removeCachedModel(dir, key);
  const live = new Set(manifests.slice(0, keep).map((m) => m.key));
  const cutoff = Date.now() - 60_000;
  for (const n of names) {
    const m = /^(.*)\.(onnx|weights|json)(\.tmp-\d+-\d+)?$/.exec(n);
    if (!m || (live.has(m[1]) && !m[3]) || removed.includes(m[1])) continue;
    const st = await fsp.stat(join(dir, n)).catch(() => undefined);
    if (st && st.mtimeMs < cutoff) await fsp.rm(join(dir, n), { force: true });
  }
  return removed;
}
