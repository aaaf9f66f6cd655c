// The engine's state: the chosen backend and the loaded model. The request handlers (engine
// child process) and the CLI (in-process) both drive an instance of it.
import * as tf from '@tensorflow/tfjs-core';
import { basename } from 'node:path';
import { initBackend, type BackendPreference, type BackendReport } from './backend/select';
import { describe, makeSpec, countParams, type ModelSpec, type VariantName } from './model/spec';
import { forward, heInit, type Params } from './model/alexnet';
import { loadWeightsFile } from './weights';
import { imagenetLabels } from './labels';
import { decodeImageFile, isImageDecodeError, preprocessBatch, type DecodedImage } from './image';
import type { ClassifyItem, ModelInfo, ModelStatus, Prediction, WeightsSource } from '../protocol/engine';
import { EngineFailure, throwIfCancelled, yieldToEventLoop } from './failures';
import { createOnnxRuntime, onnxAvailable, onnxCacheKey, openCachedOnnxRuntime, sameSpec, weightsFileIdentity, type HostParam, type OnnxRuntime } from './onnx';
import { activationLayers } from './inspect/analysis';
import { chooseDevice, describeSkipped, type DeviceReport } from './onnx/deviceChoice';
import { isDevicePreference, type DevicePreference } from './onnx/devices';

export const ENGINE_VERSION = '0.1.0';

export interface LoadedModel {
  spec: ModelSpec;
  params: Params;
  status: ModelStatus;
  /**
   * The same network on onnxruntime-node, for inference on CPU backends (several times faster
   * than tfjs's WebAssembly here; see bench/). Built in the background after the model loads;
   * until it is ready, and for gradients and training, tfjs answers.
   */
  onnx?: OnnxRuntime;
}

/** Where inference runs: 'auto' uses ONNX Runtime when it loads and no GPU backend is in use. */
export type InferenceRuntime = 'auto' | 'tfjs';

export interface ClassifyOptions {
  topK: number;
  /** images per forward pass */
  batchSize?: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number, path: string) => void;
  /** apply the EXIF orientation tag (default true); false = pixels as stored (torchvision-exact) */
  exifOrientation?: boolean;
}

export interface EngineOptions {
  /** the weights/ folder holding imagenet_classes.json (default: found beside the code, weights/dataDir.ts) */
  dataDir?: string;
  /**
   * Folder for built ONNX models (onnx/modelCache.ts), keyed by the weights file: a later start
   * loads the session from there. The host passes its globalStorage through ALEXNET_ONNX_CACHE_DIR,
   * the CLI ~/.cache/alexnet-explorer/onnx; unset, nothing is cached.
   */
  onnxCacheDir?: string;
  /** default 'auto' */
  inferenceRuntime?: InferenceRuntime;
  /** where ONNX Runtime computes (default 'auto'; init's argument overrides it) */
  device?: DevicePreference;
}

/** The options the engine process and the CLI take from their environment (ALEXNET_INFERENCE, ALEXNET_ONNX_CACHE_DIR, ALEXNET_DEVICE). */
export function engineOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): EngineOptions {
  return {
    inferenceRuntime: env.ALEXNET_INFERENCE === 'tfjs' ? 'tfjs' : 'auto',
    onnxCacheDir: env.ALEXNET_ONNX_CACHE_DIR === 'off' ? undefined : env.ALEXNET_ONNX_CACHE_DIR || undefined,
    ...(isDevicePreference(env.ALEXNET_DEVICE) ? { device: env.ALEXNET_DEVICE } : {}),
  };
}

/**
 * The engine's state: one per process in practice (tfjs's backend is process-wide). The engine
 * process (server.ts) and each CLI command make one and hand it to what needs it.
 */
export class Engine {
  backend?: BackendReport;
  model?: LoadedModel;
  /** set to 'tfjs' to keep inference on the tfjs backend (tests comparing backends, explicit backend choice) */
  inferenceRuntime: InferenceRuntime;
  /** Folder for built ONNX models (onnx/modelCache.ts); see EngineOptions. */
  onnxCacheDir: string | undefined;
  /** the weights/ data folder (ImageNet labels); undefined: found beside the code */
  readonly dataDir: string | undefined;
  /** ORT weight pre-packing: +1.3 s to build, ~20% faster batches; worth it for hundreds of images only */
  onnxPrepack = false;
  /** where ONNX Runtime computes (alexnet.device, --device, ALEXNET_DEVICE) */
  devicePreference: DevicePreference = 'auto';
  /** the device in use, once chosen (a GPU device only after its self-test passed) */
  deviceReport?: DeviceReport;
  private devicePending?: Promise<DeviceReport>;
  private onnxPending?: Promise<void>;
  /** set while classify should wait for the ORT session rather than answer on tfjs */
  private onnxFirstPending?: Promise<void>;

  constructor(options: EngineOptions = {}) {
    this.inferenceRuntime = options.inferenceRuntime ?? 'auto';
    this.onnxCacheDir = options.onnxCacheDir;
    this.dataDir = options.dataDir;
    if (options.device) this.devicePreference = options.device;
  }

  async init(pref: BackendPreference = 'auto', threads?: number, device?: DevicePreference): Promise<BackendReport> {
    // The backend is process-wide in tfjs; switching means a new engine process.
    if (this.backend) return this.backend;
    if (device) this.devicePreference = device;
    this.backend = await initBackend(pref, { threads });
    // the choice (a GPU self-test takes seconds) runs alongside; ORT's session waits for it
    void this.deviceReady();
    return this.backend;
  }

  /** The device ONNX Runtime uses, chosen once (self-testing a GPU device before its first use). */
  deviceReady(): Promise<DeviceReport> {
    this.devicePending ??= chooseDevice(this.devicePreference).then((r) => {
      this.deviceReport = r;
      // stderr in the CLI (stdout may be --json), the engine log in the extension
      for (const line of describeSkipped(r)) console.warn(line);
      if (r.chosen !== 'cpu') console.warn(`ONNX Runtime computes on ${r.label}`);
      return r;
    });
    return this.devicePending;
  }

  requireBackend(): BackendReport {
    if (!this.backend) throw new EngineFailure('The engine was not initialised (send init first)', 'no-backend');
    return this.backend;
  }

  requireModel(): LoadedModel {
    if (!this.model) throw new EngineFailure('No model is loaded: choose weights first', 'no-model');
    return this.model;
  }

  /** Loads weights (or random He-initialised ones) for a variant; replaces the current model. */
  async loadModel(variant: VariantName, weights: WeightsSource): Promise<ModelStatus> {
    if (!this.backend) await this.init();
    const t0 = performance.now();
    const useOnnx = this.wantsOnnx();
    // A cached ONNX model needs no weights: its session loads (on ORT's threads) while tfjs reads the file.
    const cache = useOnnx && weights.kind === 'file' ? await this.onnxCacheFor(variant, weights.path) : undefined;
    const early = cache ? this.deviceReady().then(() => openCachedOnnxRuntime(cache, this.onnxSessionOptions())).catch(() => undefined) : undefined;
    let host: Record<string, HostParam> | undefined;
    let spec: ModelSpec;
    let params: Params;
    let classNames: string[] | undefined;
    let weightsLabel: string;
    let untrained = false;
    if (weights.kind === 'random') {
      spec = makeSpec(variant);
      params = tf.tidy(() => heInit(spec, weights.seed ?? 42));
      weightsLabel = 'untrained (random weights)';
      untrained = true;
    } else {
      let loaded;
      try {
        loaded = await loadWeightsFile(weights.path, variant);
      } catch (err) {
        void early?.then((rt) => rt?.dispose());
        throw new EngineFailure(err instanceof Error ? err.message : String(err), 'bad-weights');
      }
      spec = loaded.spec;
      params = {};
      for (const [name, t] of Object.entries(loaded.params)) params[name] = tf.tensor(t.data, t.shape, 'float32');
      // views on the file's bytes, for the ONNX graph (nothing writes to them)
      host = loaded.params;
      classNames = loaded.classNames;
      weightsLabel = loaded.metadata.label ?? basename(weights.path);
    }
    let synsets: string[] | undefined;
    if (!classNames && spec.numClasses !== 1000) {
      // A head trained elsewhere without names: still usable, with numbered classes.
      classNames = Array.from({ length: spec.numClasses }, (_, i) => `class ${i}`);
    }
    if (!classNames) {
      const labels = imagenetLabels(this.dataDir);
      classNames = labels.map((l) => l.name);
      synsets = labels.map((l) => l.synset);
    }
    this.disposeModel();
    const status: ModelStatus = {
      variant: spec.variant,
      weightsLabel,
      weights,
      untrained,
      numClasses: spec.numClasses,
      classNames,
      synsets,
      inputSize: spec.inputSize,
      parameters: countParams(spec),
      loadMs: 0,
    };
    const model: LoadedModel = { spec, params, status };
    this.model = model;
    // With a model cache ORT's session is ready sooner than tfjs's first forward (measured: cache
    // empty or warm), so classify waits for it; without one, building it in memory is slower, and
    // tfjs answers until it is ready, as before.
    // A GPU device asked for by name: its answers, not tfjs's, even before the session is ready.
    const onnxFirst = useOnnx && (!!this.onnxCacheDir || (this.devicePreference !== 'auto' && this.devicePreference !== 'cpu'));
    if (!onnxFirst) {
      // Warm-up: the first forward compiles/allocates; doing it here keeps classify times honest.
      // With ONNX Runtime answering first, tfjs (gradients, training) warms up on first use instead:
      // on wasm this forward takes seconds of XNNPACK packing that the first prediction need not wait for.
      const warm = tf.tidy(() => forward(spec, params, tf.zeros([1, spec.inputSize, spec.inputSize, 3])).output);
      warm.dataSync();
      warm.dispose();
    }
    status.loadMs = Math.round(performance.now() - t0);
    // It starts after the answer is sent; with onnxFirst, classify waits for it (probabilities()).
    const pending = useOnnx ? new Promise<void>((resolve) => setImmediate(() => resolve(this.startOnnx(model, host, cache, early)))) : undefined;
    this.onnxPending = pending;
    this.onnxFirstPending = onnxFirst ? pending : undefined;
    return status;
  }

  /** Whether inference should go to ONNX Runtime: runtime 'auto', backend chosen automatically, no GPU, ORT loads. */
  private wantsOnnx(): boolean {
    if (this.inferenceRuntime !== 'auto' || this.backend?.kind === 'gpu' || this.backend?.preference !== 'auto') return false;
    const available = onnxAvailable();
    if (!available.ok) console.warn(`inference stays on ${this.backend?.label}: ${available.reason}`);
    return available.ok;
  }

  private onnxSessionOptions(): { threads?: number; prepack: boolean; device: DeviceReport['chosen'] } {
    return { threads: this.backend?.threads, prepack: this.onnxPrepack, device: this.deviceReport?.chosen ?? 'cpu' };
  }

  private async onnxCacheFor(variant: VariantName, path: string): Promise<{ dir: string; key: string } | undefined> {
    if (!this.onnxCacheDir) return undefined;
    try {
      const weights = await weightsFileIdentity(path);
      return { dir: this.onnxCacheDir, key: onnxCacheKey({ weights, variant, collect: activationLayers(makeSpec(variant)) }) };
    } catch {
      return undefined; // no such file: loading the weights says so
    }
  }

  /**
   * The ONNX Runtime session for `model`: the one `early` opened from the disk cache when it fits,
   * else built from `host` (the file's tensors) or the tfjs params, and cached when a folder is set.
   */
  private async startOnnx(
    model: LoadedModel,
    host: Record<string, HostParam> | undefined,
    cache: { dir: string; key: string } | undefined,
    early: Promise<OnnxRuntime | undefined> | undefined,
  ): Promise<void> {
    const attach = async (rt: OnnxRuntime) => {
      if (this.model === model) model.onnx = rt;
      else await rt.dispose();
    };
    const cached = await early;
    if (cached && sameSpec(cached.spec, model.spec)) return attach(cached);
    if (cached) await cached.dispose();
    if (this.model !== model) return;
    await this.deviceReady();
    if (this.model !== model) return;
    if (!host) {
      host = {};
      for (const [name, t] of Object.entries(model.params)) host[name] = { shape: t.shape, data: t.dataSync() as Float32Array };
    }
    // Every layer the views show is an extra output, so one session serves classify and feature
    // maps; classify fetches none of them and measured no slower for it.
    const opts = { ...this.onnxSessionOptions(), collect: activationLayers(model.spec), ...(cache ? { cache } : {}) };
    return createOnnxRuntime(model.spec, host, opts)
      .catch(async (err: unknown) => {
        if (opts.device === 'cpu') throw err;
        // the self-test passed but the whole model does not fit or load there: the CPU, saying why
        const reason = `the ${opts.device} session for the full model failed: ${(err as Error).message.split('\n')[0]}`;
        console.warn(`${reason}; ONNX Runtime stays on the CPU`);
        if (this.deviceReport) this.deviceReport = { ...this.deviceReport, chosen: 'cpu', label: 'CPU', skipped: [...this.deviceReport.skipped, { id: opts.device, reason }] };
        return createOnnxRuntime(model.spec, host, { ...opts, device: 'cpu' });
      })
      .then(attach, (err: unknown) => console.warn(`ONNX Runtime unavailable, inference stays on tfjs: ${(err as Error).message}`));
  }

  /** Waits for the background ONNX session (tests and benchmarks that want it in use). */
  async onnxReady(): Promise<boolean> {
    await this.onnxPending;
    return !!this.model?.onnx;
  }

  /** What answers classify requests now. */
  inferenceLabel(): string {
    if (!this.model?.onnx) return this.requireBackend().label;
    const device = this.model.onnx.device;
    return device === 'cpu' ? `ONNX Runtime (CPU, ${this.backend?.threads ?? 'auto'} threads)` : `ONNX Runtime (${this.deviceReport?.label ?? device})`;
  }

  disposeModel(): void {
    if (this.model) {
      for (const t of Object.values(this.model.params)) t.dispose();
      void this.model.onnx?.dispose();
    }
    this.model = undefined;
  }

  /** Softmax probabilities for an NHWC batch, as one Float32Array [n * numClasses]. */
  async probabilities(data: Float32Array, n: number): Promise<Float32Array> {
    // ONNX Runtime's session, cached or not, is ready sooner than tfjs's first forward: wait for it
    if (!this.requireModel().onnx && this.onnxFirstPending) await this.onnxFirstPending;
    const { spec, params, onnx } = this.requireModel();
    if (onnx) return (await onnx.run(data, n, { collect: [] })).probabilities;
    const s = spec.inputSize;
    // dataSync outside tidy: tidy would walk a returned typed array element by element.
    const probs = tf.tidy(() => forward(spec, params, tf.tensor4d(data, [n, s, s, 3]), { softmax: true }).output);
    try {
      return probs.dataSync() as Float32Array;
    } finally {
      probs.dispose();
    }
  }

  topK(probs: Float32Array, offset: number, k: number): Prediction[] {
    const { status } = this.requireModel();
    const n = status.numClasses;
    const idx = Array.from({ length: n }, (_, i) => i).sort((a, b) => probs[offset + b] - probs[offset + a]).slice(0, Math.min(k, n));
    return idx.map((i) => ({ index: i, label: status.classNames[i], synset: status.synsets?.[i], probability: probs[offset + i] }));
  }

  /** Classifies files; an image that cannot be decoded becomes an ok:false item and the rest go on. */
  async classifyFiles(paths: string[], opts: ClassifyOptions): Promise<ClassifyItem[]> {
    const { spec } = this.requireModel();
    const batchSize = opts.batchSize ?? 8;
    const items: ClassifyItem[] = new Array(paths.length);
    let done = 0;
    for (let start = 0; start < paths.length; start += batchSize) {
      if (opts.signal) throwIfCancelled(opts.signal);
      const chunk = paths.slice(start, start + batchSize);
      const t0 = performance.now();
      const autoOrient = opts.exifOrientation ?? true;
      const decoded = await Promise.all(chunk.map((p) => decodeImageFile(p, { autoOrient, shrinkFor: spec.resizeTo }).then((img) => ({ img }), (err: unknown) => ({ err }))));
      const good: { i: number; img: DecodedImage }[] = [];
      decoded.forEach((d, j) => {
        const i = start + j;
        if ('img' in d) good.push({ i, img: d.img });
        else items[i] = { path: paths[i], ok: false, ...describeImageError(d.err) };
      });
      if (good.length) {
        const batch = preprocessBatch(good.map((g) => g.img), spec);
        const probs = await this.probabilities(batch.data, good.length);
        const ms = (performance.now() - t0) / chunk.length;
        good.forEach((g, j) => {
          items[g.i] = {
            path: paths[g.i],
            ok: true,
            predictions: this.topK(probs, j * spec.numClasses, opts.topK),
            // the photo's size (as shown), also when it was shrunk while decoding
            width: g.img.source.shrunkFrom?.width ?? g.img.width,
            height: g.img.source.shrunkFrom?.height ?? g.img.height,
            ms: Math.round(ms * 10) / 10,
            ...(g.img.source.orientation > 1 ? { exif: { orientation: g.img.source.orientation, applied: autoOrient } } : {}),
          };
        });
      }
      done += chunk.length;
      opts.onProgress?.(done, paths.length, chunk[chunk.length - 1]);
      await yieldToEventLoop();
    }
    return items;
  }

  info(variant?: VariantName): ModelInfo {
    const spec = variant ? makeSpec(variant) : this.model?.spec ?? makeSpec('torchvision');
    const layers = describe(spec).map((i) => ({
      name: i.layer.name,
      kind: i.layer.kind,
      outputShape: i.outputShape,
      ...(i.layer.kind === 'conv'
        ? { kernel: i.layer.kernel, stride: i.layer.stride, pad: i.layer.pad, groups: i.layer.groups }
        : i.layer.kind === 'maxpool'
          ? { kernel: i.layer.size, stride: i.layer.stride }
          : {}),
      params: i.params,
      flops: i.flops,
    }));
    return {
      variant: spec.variant,
      inputSize: spec.inputSize,
      layers,
      totalParams: layers.reduce((a, l) => a + l.params, 0),
      totalFlops: layers.reduce((a, l) => a + l.flops, 0),
      backend: this.requireBackend(),
      weightsLabel: this.model && this.model.spec === spec ? this.model.status.weightsLabel : undefined,
    };
  }
}

function describeImageError(err: unknown): { error: string; code: string } {
  if (isImageDecodeError(err)) return { error: err.message, code: err.code };
  return { error: err instanceof Error ? err.message : String(err), code: 'unreadable' };
}
