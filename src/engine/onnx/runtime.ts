// AlexNet on onnxruntime-node: the same spec and canonical weights as the tfjs model, built
// into an ONNX graph in memory (graph.ts) and run by onnxruntime's CPU kernels, which are
// several times faster than tfjs's wasm backend for inference here (see bench/).
// onnxruntime-node is a regular dependency (installed offline: .npmrc), loaded on first use;
// onnxAvailable() says why it cannot load where it cannot (ORT 1.30 ships no macOS x64 build).
import type { ModelSpec } from '../model/spec';
import { buildOnnxGraph, type HostParam, type LrnMode } from './graph';
import { encodeModel } from './onnxProto';
import { sessionOptionsFor, type DeviceId } from './sessionOptions';
import { DEFAULT_CACHE_ENTRIES, readCachedModel, removeCachedModel, writeCachedModel, type CachedModel } from './modelCache';

// The slice of onnxruntime-node's API used here (typed locally so the engine compiles without it).
interface OrtTensor {
  readonly data: unknown;
  readonly dims: readonly number[];
  dispose?(): void;
}
interface OrtSession {
  run(feeds: Record<string, OrtTensor>, fetches?: string[]): Promise<Record<string, OrtTensor>>;
  release(): Promise<void>;
}
export interface OrtModule {
  InferenceSession: { create(model: Uint8Array | string, options?: Record<string, unknown>): Promise<OrtSession> };
  Tensor: new (type: 'float32', data: Float32Array, dims: readonly number[]) => OrtTensor;
  env: { versions?: Record<string, string> };
}

let ortModule: OrtModule | undefined;
let ortError: string | undefined;

/** onnxruntime-node, loaded on first use; throws with the reason when it cannot load. */
export function loadOrt(): OrtModule {
  if (ortModule) return ortModule;
  if (ortError) throw new Error(ortError);
  // ORT >= 1.2x collects "telemetry" when its environment is created: on Linux it matches
  // regular expressions (libstdc++'s recursive std::regex) against /proc/self/cmdline, which
  // overflows the main thread's 8 MB stack once the command line is ~35 KB (`alexnet classify
  // dir/*.jpg` with 650+ paths: SIGSEGV), and it tries to upload what it collected. We never want
  // either; the variable must be set before the first session creates ORT's environment.
  process.env.ORT_DISABLE_TELEMETRY = '1';
  try {
    // A runtime require (esbuild keeps it external: a native package).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    ortModule = require('onnxruntime-node') as OrtModule;
    return ortModule;
  } catch (e) {
    ortError = `onnxruntime-node cannot be loaded: ${(e as Error).message.split('\n')[0]}`;
    throw new Error(ortError);
  }
}

/** Whether the ONNX runtime can run in this process (ok), or why not. */
export function onnxAvailable(): { ok: boolean; reason?: string; version?: string } {
  try {
    const ort = loadOrt();
    return { ok: true, version: ort.env.versions?.node ?? ort.env.versions?.common };
  } catch (e) {
    return { ok: false, reason: (e as Error).message };
  }
}

export interface OnnxRuntimeOptions {
  /** where the session computes (default cpu); see devices.ts */
  device?: DeviceId;
  /** intra-op threads (default: onnxruntime's choice, one per core) */
  threads?: number;
  /** layer names whose outputs run() can return (fixed when the session is built) */
  collect?: string[];
  lrn?: LrnMode;
  /**
   * Pre-pack weights when the session is built (ORT's default). Packing takes ~1.3 s for AlexNet and
   * pays off only over hundreds of images (~20% faster at batch 8-32); without it the first
   * prediction comes sooner and batch 1 runs no slower. Default true.
   */
  prepack?: boolean;
  /** keep the built model in this disk cache under `key` (see modelCache.ts), and read it from there */
  cache?: { dir: string; key: string; keep?: number };
}

export interface OnnxActivation {
  /** NHWC for spatial layers, [n, units] for flat ones: the layout tfjs's forward() gives */
  shape: number[];
  data: Float32Array;
}

export interface OnnxRunResult {
  /** [n * numClasses] */
  logits: Float32Array;
  /** softmax of the logits, [n * numClasses] */
  probabilities: Float32Array;
  activations: Map<string, OnnxActivation>;
}

export interface OnnxRuntime {
  readonly spec: ModelSpec;
  /** layers whose activations run() can return */
  readonly collectable: readonly string[];
  /** milliseconds to build the graph and create the session */
  readonly createMs: number;
  /** where the session computes */
  readonly device: DeviceId;
  /** where the model came from: the disk cache, built and written to it, or built in memory */
  readonly source: 'cache' | 'built+cached' | 'built';
  /** Runs an NHWC float32 batch of n images. `collect` (default: all collectable) picks activations. */
  run(nhwc: Float32Array, n: number, opts?: { collect?: string[] }): Promise<OnnxRunResult>;
  dispose(): Promise<void>;
}

/** The serialised ONNX model of a spec and its canonical weights (for saving or inspection). */
export function buildOnnxModel(spec: ModelSpec, params: Record<string, HostParam>, opts: { collect?: string[]; lrn?: LrnMode } = {}): Uint8Array {
  return encodeModel(buildOnnxGraph(spec, params, opts).graph);
}

interface GraphNames {
  inputName: string;
  logitsName: string;
  probabilitiesName: string;
  activationNames: Map<string, string>;
}

function sessionOptions(opts: OnnxRuntimeOptions): Record<string, unknown> {
  return sessionOptionsFor(opts.device ?? 'cpu', { threads: opts.threads, prepack: opts.prepack });
}

/**
 * The runtime from the disk cache alone (no weights needed), or undefined when the entry is
 * missing or broken. Its spec is the one the entry was built for: compare it with the model's.
 */
export async function openCachedOnnxRuntime(cache: { dir: string; key: string }, opts: Omit<OnnxRuntimeOptions, 'cache' | 'collect' | 'lrn'> = {}): Promise<OnnxRuntime | undefined> {
  const ort = loadOrt();
  const t0 = performance.now();
  const cached = await readCachedModel(cache.dir, cache.key);
  if (!cached) return undefined;
  let session: OrtSession;
  try {
    session = await ort.InferenceSession.create(cached.modelPath, sessionOptions(opts));
  } catch (e) {
    // on a GPU the entry may be fine and the device the trouble: keep it, the caller falls back
    if (opts.device && opts.device !== 'cpu') throw e;
    // damage the size/trailer checks cannot see: drop the entry, the caller builds anew
    console.warn(`ONNX model cache entry ${cache.key} does not load (${(e as Error).message.split('\n')[0]}); rebuilding it`);
    await removeCachedModel(cache.dir, cache.key);
    return undefined;
  }
  return wrapSession(ort, session, cached.spec, cached, performance.now() - t0, 'cache', opts.device);
}

export async function createOnnxRuntime(spec: ModelSpec, params: Record<string, HostParam>, opts: OnnxRuntimeOptions = {}): Promise<OnnxRuntime> {
  const ort = loadOrt();
  const t0 = performance.now();
  if (opts.cache) {
    const hit = await openCachedOnnxRuntime(opts.cache, opts);
    if (hit && sameSpec(hit.spec, spec)) return hit;
    if (hit) await hit.dispose();
  }
  const built = buildOnnxGraph(spec, params, { collect: opts.collect, lrn: opts.lrn });
  if (opts.cache) {
    let cached: CachedModel | undefined;
    try {
      cached = await writeCachedModel(opts.cache.dir, opts.cache.key, spec, built, opts.cache.keep ?? DEFAULT_CACHE_ENTRIES);
    } catch (e) {
      console.warn(`cannot write the ONNX model cache in ${opts.cache.dir}: ${(e as Error).message}`);
    }
    // from the file: ORT maps the weights it just wrote instead of parsing a 244 MB buffer
    if (cached) return wrapSession(ort, await ort.InferenceSession.create(cached.modelPath, sessionOptions(opts)), spec, built, performance.now() - t0, 'built+cached', opts.device);
  }
  let bytes: Uint8Array | undefined = encodeModel(built.graph);
  const session = await ort.InferenceSession.create(bytes, sessionOptions(opts));
  bytes = undefined; // the session holds its own copy of the weights
  return wrapSession(ort, session, spec, built, performance.now() - t0, 'built', opts.device);
}

export function sameSpec(a: ModelSpec, b: ModelSpec): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function wrapSession(ort: OrtModule, session: OrtSession, spec: ModelSpec, built: GraphNames, createMs: number, source: OnnxRuntime['source'], device: DeviceId = 'cpu'): OnnxRuntime {
  const s = spec.inputSize;
  const collectable = [...built.activationNames.keys()];
  let released = false;

  return {
    spec,
    collectable,
    device,
    createMs,
    source,
    async run(nhwc, n, runOpts = {}) {
      if (released) throw new Error('the ONNX runtime was disposed');
      if (nhwc.length !== n * s * s * 3) throw new Error(`expected ${n}x${s}x${s}x3 = ${n * s * s * 3} values, got ${nhwc.length}`);
      const wanted = runOpts.collect ?? collectable;
      for (const c of wanted) if (!built.activationNames.has(c)) throw new Error(`activation "${c}" was not requested when the runtime was created`);
      const fetches = [built.logitsName, built.probabilitiesName, ...wanted.map((c) => built.activationNames.get(c)!)];
      const input = new ort.Tensor('float32', nhwc, [n, s, s, 3]);
      const out = await session.run({ [built.inputName]: input }, [...new Set(fetches)]);
      const activations = new Map<string, OnnxActivation>();
      for (const c of wanted) {
        const t = out[built.activationNames.get(c)!];
        activations.set(c, { shape: [...t.dims], data: t.data as Float32Array });
      }
      return { logits: out[built.logitsName].data as Float32Array, probabilities: out[built.probabilitiesName].data as Float32Array, activations };
    },
    async dispose() {
      if (released) return;
      released = true;
      await session.release();
    },
  };
}
