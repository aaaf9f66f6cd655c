// Runs the training-step graph: owns the weights and optimiser state between steps (host buffers in
// the graph's layout), feeds them with the batch, and takes the new ones back. The outputs are given
// preallocated buffers that rotate (never a buffer that is also an input), but onnxruntime-node 1.30
// still returns each output as a copy in a new JS buffer (measured: the returned tensor is not the
// one passed in, nor a view of it), so the new weights are taken from what the run returns and a run
// of torchvision copies its 244 MB of weights once: hence several steps per run (stepsPerRun).
import type { ModelSpec } from '../../model/spec';
import { paramShapes } from '../../model/spec';
import type { HostTensor } from '../../weights/hostTensor';
import type { TrainGraphOptions } from './graphBuilder';
import { toCanonicalLayout, toGraphLayout } from './layout';
import { detectNchwcBlock } from './nchwc';
import { createTrainingSession, graphOptionsFor, ortTensor, type TrainDevice, type TrainSession } from './session';
import { buildForwardStep, buildTrainStep, type BuiltStep, type FeatureInput } from './step';
import { subStep, type OptimizerKind } from './optimizer';

export interface OptimizerConfig {
  kind: OptimizerKind;
  weightDecay: number;
  /** SGD */
  momentum: number;
  /** Adam */
  beta1?: number;
  beta2?: number;
  eps?: number;
  /** clip the global gradient L2 norm to this (0 or absent: no clipping) */
  clipNorm?: number;
}

export interface RunnerOptions {
  spec: ModelSpec;
  frozen: boolean;
  /** frozen: which layer's cached output the graph is fed (default pool5, with dropout) */
  features?: FeatureInput;
  optimizer: OptimizerConfig;
  /** graph formulation (default: the device's, session.ts graphOptionsFor) */
  graph?: TrainGraphOptions;
  device?: TrainDevice;
  threads?: number;
  /** write ORT's per-op profile with this file prefix */
  profile?: string;
  /**
   * training steps one ORT run takes (step.ts): ORT's Node binding copies every output into a new JS
   * buffer, so the weights come out once per run (SGD's previous weights too when it is more than 1).
   * Default 1; `steps` then takes exactly this many batches.
   */
  stepsPerRun?: number;
}

/** Optimiser state as checkpoints hold it (canonical layout): `prev/<p>` (SGD) or `adam.m/<p>`, `adam.v/<p>`. */
export interface RunnerState {
  tensors: Record<string, HostTensor>;
  /** optimiser steps taken (Adam's bias correction) */
  steps: number;
  /** learning rate of the last step (SGD's momentum across a learning-rate change) */
  lastLr: number | null;
}

export interface StepInput {
  /** NHWC images [n, S, S, 3], or frozen: NHWC features [n, 6, 6, C] (a probe's: [n, units]) */
  input: Float32Array;
  n: number;
  labels: Int32Array;
  /** per dropout layer, n x units values of 0 or 1/(1-rate) */
  masks: Record<string, Float32Array>;
  lr: number;
}

export interface StepOutput {
  loss: number;
  correct: number;
  logits: Float32Array;
  gradNorm?: number;
}

const CKPT_PREFIX: Record<string, string> = { 'prev.': 'prev/', 'm.': 'adam.m/', 'v.': 'adam.v/' };

export class TrainRunner {
  private constructor(
    private readonly opts: RunnerOptions,
    private readonly step_: BuiltStep,
    private readonly session: TrainSession,
    private readonly evalStep: BuiltStep,
    private evalSession: TrainSession | undefined,
    /**
     * graph-layout buffers: `w.<p>`, `prev.<p>` | `m.<p>`, `v.<p>`. Never written once a run has
     * returned them (each run's outputs are new buffers), so a checkpoint can write the ones params()
     * and state() hand out while the next steps run.
     */
    private readonly buffers: Map<string, Float32Array>,
    private steps_: number,
    private lastLr: number | null,
  ) {}

  /** `params`: canonical tensors of (at least) the trained parameters; `state`: from a checkpoint. */
  static async create(opts: RunnerOptions, params: Record<string, HostTensor>, state?: RunnerState): Promise<TrainRunner> {
    const { spec, frozen, optimizer } = opts;
    const features = opts.features;
    const graph = { ...graphOptionsFor(opts.device ?? 'cpu'), ...(opts.graph ?? {}) };
    // the CPU EP's blocked conv kernels, with this machine's block size (0 where it has none)
    if ((opts.device ?? 'cpu') === 'cpu' && opts.graph?.nchwcBlock === undefined) graph.nchwcBlock = await detectNchwcBlock();
    const stepsPerRun = opts.stepsPerRun ?? 1;
    const built = buildTrainStep({
      spec, frozen, graph, stepsPerRun, ...(features ? { features } : {}),
      optimizer: { kind: optimizer.kind, weightDecay: optimizer.weightDecay, beta1: optimizer.beta1, beta2: optimizer.beta2, eps: optimizer.eps, clip: !!optimizer.clipNorm },
    });
    const evalStep = buildForwardStep({ spec, frozen, graph, ...(features ? { features } : {}) });
    const canonical = new Map(paramShapes(spec).map((p) => [p.name, p.shape]));
    const buffers = new Map<string, Float32Array>();
    for (const p of built.params) {
      const src = params[p.name];
      if (!src) throw new Error(`no starting value for ${p.name}`);
      const conv = isConvWeight(spec, p.name);
      // a copy either way: the caller keeps its tensors, and the runner's are never written once made
      const w = conv ? toGraphLayout(src.data, canonical.get(p.name)!, true) : Float32Array.from(src.data);
      buffers.set(`w.${p.name}`, w);
      for (const pre of built.statePrefixes) {
        const saved = state?.tensors[`${CKPT_PREFIX[pre]}${p.name}`];
        let s: Float32Array;
        if (saved) s = conv ? toGraphLayout(saved.data, canonical.get(p.name)!, true) : Float32Array.from(saved.data);
        else if (pre === 'prev.') s = Float32Array.from(w); // no momentum yet: W_prev = W
        else s = new Float32Array(w.length);
        buffers.set(`${pre}${p.name}`, s);
      }
    }
    const session = await createTrainingSession(built.bytes, opts.device, { threads: opts.threads, profile: opts.profile });
    return new TrainRunner(opts, built, session, evalStep, undefined, buffers, state?.steps ?? 0, state?.lastLr ?? null);
  }

  get masks(): BuiltStep['masks'] {
    return this.step_.masks;
  }
  get inputName(): string {
    return this.step_.inputName;
  }
  get stepsDone(): number {
    return this.steps_;
  }
  get lastLearningRate(): number | null {
    return this.lastLr;
  }

  /** Training steps per ORT run: `steps` takes up to this many batches at once. */
  get stepsPerRun(): number {
    return this.step_.stepsPerRun;
  }

  /** One step (a runner of one step per run). */
  async step(b: StepInput): Promise<StepOutput> {
    return (await this.steps([b]))[0];
  }

  /** Exactly `stepsPerRun` steps, one per batch, in one ORT run. */
  async steps(batches: StepInput[]): Promise<StepOutput[]> {
    const { spec, optimizer } = this.opts;
    const S = this.step_.stepsPerRun;
    const sgdSeveral = optimizer.kind === 'sgd' && S > 1;
    if (batches.length !== S) throw new Error(`${batches.length} batches for a run of exactly ${S} steps`);
    const K = spec.numClasses;
    const feeds: Record<string, ReturnType<typeof ortTensor>> = {};
    const scalar = (v: number) => ortTensor(Float32Array.of(v), []);
    let t = this.steps_;
    let lastLr = this.lastLr;
    for (let k = 0; k < S; k++) {
      const b = batches[k];
      const n = b.n;
      const name = (x: string) => subStep(x, k);
      feeds[name(this.step_.inputName)] = ortTensor(b.input, this.inputDims(n));
      const target = new Float32Array(n * K);
      for (let i = 0; i < n; i++) {
        const y = b.labels[i];
        if (!(y >= 0 && y < K)) throw new Error(`label ${y} is outside 0..${K - 1}`);
        target[i * K + y] = 1 / n;
      }
      feeds[name('target')] = ortTensor(target, [n, K]);
      for (const m of this.step_.masks) {
        const data = b.masks[m.layer];
        if (!data || data.length !== n * m.units) throw new Error(`dropout mask ${m.layer}: expected ${n} x ${m.units} values`);
        feeds[name(`mask.${m.layer}`)] = ortTensor(data, [n, m.units]);
      }
      t++;
      if (optimizer.kind === 'sgd') {
        // PyTorch keeps the momentum buffer in gradient units: a new lr rescales the displacement W - W_prev
        feeds[name('lr')] = scalar(b.lr);
        feeds[name('mu')] = scalar(lastLr === null ? 0 : optimizer.momentum * (b.lr / lastLr));
      } else {
        const b1 = optimizer.beta1 ?? 0.9;
        const b2 = optimizer.beta2 ?? 0.999;
        feeds[name('stepSize')] = scalar(b.lr / (1 - b1 ** t));
        feeds[name('bc2sqrt')] = scalar(Math.sqrt(1 - b2 ** t));
      }
      lastLr = b.lr;
    }
    for (const p of this.step_.params) {
      feeds[`w.${p.name}`] = ortTensor(this.buffers.get(`w.${p.name}`)!, p.dims);
      for (const pre of this.step_.statePrefixes) feeds[`${pre}${p.name}`] = ortTensor(this.buffers.get(`${pre}${p.name}`)!, p.dims);
    }
    if (optimizer.clipNorm) feeds.maxNorm = scalar(optimizer.clipNorm);

    const fetches: Record<string, ReturnType<typeof ortTensor> | null> = {};
    for (let k = 0; k < S; k++) {
      fetches[subStep('loss', k)] = null;
      fetches[subStep('logits', k)] = null;
      if (optimizer.clipNorm) fetches[subStep('gradNorm', k)] = null;
    }
    const outKeys: [string, string][] = []; // [output name, buffer key]
    for (const p of this.step_.params) {
      const keys = [`w.${p.name}`, ...this.step_.statePrefixes.filter((pre) => pre !== 'prev.' || sgdSeveral).map((pre) => `${pre}${p.name}`)];
      for (const key of keys) {
        const out = key.startsWith('w.') ? `new.${p.name}` : `new.${key}`;
        outKeys.push([out, key]);
        // no preallocated buffer: ORT's Node binding copies every output into a new one anyway
        fetches[out] = null;
      }
    }
    const res = await this.session.run(feeds, fetches);

    // rotate: SGD with one step per run: W_prev <- W, W <- new; otherwise every state tensor comes
    // out of the run and replaces its input
    for (const [out, key] of outKeys) {
      const fresh = res[out].data as Float32Array;
      const old = this.buffers.get(key)!;
      if (key.startsWith('w.') && this.step_.statePrefixes.includes('prev.') && !sgdSeveral) this.buffers.set(`prev.${key.slice(2)}`, old);
      this.buffers.set(key, fresh);
    }
    this.steps_ = t;
    this.lastLr = lastLr;
    return batches.map((b, k) => {
      const logits = res[subStep('logits', k)].data as Float32Array;
      const gn = res[subStep('gradNorm', k)];
      return {
        loss: (res[subStep('loss', k)].data as Float32Array)[0],
        correct: countCorrect(logits, b.labels, K),
        logits,
        ...(gn ? { gradNorm: (gn.data as Float32Array)[0] } : {}),
      };
    });
  }

  /** Logits of a batch with the current weights (no dropout). */
  async logits(input: Float32Array, n: number): Promise<Float32Array> {
    this.evalSession ??= await createTrainingSession(this.evalStep.bytes, this.opts.device, { threads: this.opts.threads });
    const feeds: Record<string, ReturnType<typeof ortTensor>> = { [this.evalStep.inputName]: ortTensor(input, this.inputDims(n)) };
    for (const p of this.evalStep.params) feeds[`w.${p.name}`] = ortTensor(this.buffers.get(`w.${p.name}`)!, p.dims);
    const res = await this.evalSession.run(feeds, ['logits']);
    return res.logits.data as Float32Array;
  }

  /** The trained parameters in canonical layout (copies for conv weights, the current buffers otherwise, which no later step writes). */
  params(): Record<string, HostTensor> {
    const out: Record<string, HostTensor> = {};
    const canonical = new Map(paramShapes(this.opts.spec).map((p) => [p.name, p.shape]));
    for (const p of this.step_.params) {
      out[p.name] = { shape: canonical.get(p.name)!, data: toCanonicalLayout(this.buffers.get(`w.${p.name}`)!, p.dims, isConvWeight(this.opts.spec, p.name)) };
    }
    return out;
  }

  /** The optimiser state for a checkpoint. */
  state(): RunnerState {
    const tensors: Record<string, HostTensor> = {};
    const canonical = new Map(paramShapes(this.opts.spec).map((p) => [p.name, p.shape]));
    for (const p of this.step_.params)
      for (const pre of this.step_.statePrefixes)
        tensors[`${CKPT_PREFIX[pre]}${p.name}`] = {
          shape: canonical.get(p.name)!,
          data: toCanonicalLayout(this.buffers.get(`${pre}${p.name}`)!, p.dims, isConvWeight(this.opts.spec, p.name)),
        };
    return { tensors, steps: this.steps_, lastLr: this.lastLr };
  }

  async dispose(): Promise<void> {
    await this.session.release();
    await this.evalSession?.release();
    this.buffers.clear();
  }

  private inputDims(n: number): number[] {
    return [n, ...this.step_.exampleDims];
  }
}

function isConvWeight(spec: ModelSpec, name: string): boolean {
  return name.endsWith('.weight') && spec.layers.find((l) => l.name === name.split('.')[0])?.kind === 'conv';
}

export function countCorrect(logits: Float32Array, labels: Int32Array, K: number): number {
  let correct = 0;
  for (let i = 0; i < labels.length; i++) {
    let best = 0;
    for (let k = 1; k < K; k++) if (logits[i * K + k] > logits[i * K + best]) best = k;
    if (best === labels[i]) correct++;
  }
  return correct;
}
