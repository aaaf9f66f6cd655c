// AlexNet on onnxruntime-node: the same spec and canonical weights as the tfjs model, built
// into an ONNX graph in memory (graph.ts) and run by onnxruntime's CPU kernels, which are
// several times faster than tfjs's wasm backend for inference here (see bench/).
// onnxruntime-node is an optional dependency: nothing here loads it until asked, and
// onnxAvailable() says why it cannot when it cannot.
import type { ModelSpec } from '../model/spec';
import { buildOnnxGraph, type HostParam, type LrnMode } from './graph';
import { encodeModel } from './onnxProto';

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
  InferenceSession: { create(model: Uint8Array, options?: Record<string, unknown>): Promise<OrtSession> };
  Tensor: new (type: 'float32', data: Float32Array, dims: readonly number[]) => OrtTensor;
  env: { versions?: Record<string, string> };
}

let ortModule: OrtModule | undefined;
let ortError: string | undefined;

/** onnxruntime-node, loaded on first use; throws with the reason when it cannot load. */
export function loadOrt(): OrtModule {
  if (ortModule) return ortModule;
  if (ortError) throw new Error(ortError);
  try {
    // A runtime require (esbuild keeps it external): the package is optional.
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
  /** intra-op threads (default: onnxruntime's choice, one per core) */
  threads?: number;
  /** layer names whose outputs run() can return (fixed when the session is built) */
  collect?: string[];
  lrn?: LrnMode;
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
  /** Runs an NHWC float32 batch of n images. `collect` (default: all collectable) picks activations. */
  run(nhwc: Float32Array, n: number, opts?: { collect?: string[] }): Promise<OnnxRunResult>;
  dispose(): Promise<void>;
}

/** The serialised ONNX model of a spec and its canonical weights (for saving or inspection). */
export function buildOnnxModel(spec: ModelSpec, params: Record<string, HostParam>, opts: { collect?: string[]; lrn?: LrnMode } = {}): Uint8Array {
  return encodeModel(buildOnnxGraph(spec, params, opts).graph);
}

export async function createOnnxRuntime(spec: ModelSpec, params: Record<string, HostParam>, opts: OnnxRuntimeOptions = {}): Promise<OnnxRuntime> {
  const ort = loadOrt();
  const t0 = performance.now();
  const built = buildOnnxGraph(spec, params, { collect: opts.collect, lrn: opts.lrn });
  let bytes: Uint8Array | undefined = encodeModel(built.graph);
  const session = await ort.InferenceSession.create(bytes, {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    interOpNumThreads: 1,
    ...(opts.threads ? { intraOpNumThreads: opts.threads } : {}),
    logSeverityLevel: 3,
  });
  bytes = undefined; // the session holds its own copy of the weights
  const createMs = performance.now() - t0;
  const s = spec.inputSize;
  const collectable = [...built.activationNames.keys()];
  let released = false;

  return {
    spec,
    collectable,
    createMs,
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
