// The trainer's steps on ONNX Runtime (src/engine/onnx/train): the trained parameters move into the
// runner (host buffers in the graph's layout) and the frozen ones stay where they are. Dropout masks
// come from the run's seeded RNG, so runs stay reproducible and resumable bit for bit.
// Checkpoint tensors: SGD `prev/<p>` (the weights before the last step: the heavy-ball state), Adam
// `adam.m/<p>`, `adam.v/<p>`; a checkpoint written by the tfjs path (`momentum/<p>` = W - W_prev) is read too.
// The steps run on the device the engine chose (trainDevice.ts); when its session fails mid-run, the
// runner moves to the CPU EP with the weights and optimiser state of the last finished step.
import type { ModelSpec } from '../model/spec';
import type { HostTensor } from '../weights/hostTensor';
import type { TrainConfig, TrainDeviceRecord } from '../../protocol/engine/train';
import type { DeviceId } from '../../protocol/engine/device';
import { DEVICE_LABELS } from '../onnx/devices';
import { onnxAvailable } from '../onnx/runtime';
import { TrainRunner, type RunnerOptions, type RunnerState } from '../onnx/train/runner';
import { hashSeed, Rng } from './rng';
import { createRunnerOnDevice, deviceRecordOf, firstLine, onCpuBecause, type RunnerFactory } from './trainDevice';
import { featureCutFor } from './model';

export interface OrtOptimizerState {
  steps: number;
  lastLr: number | null;
}

export interface OrtBatch {
  x?: Float32Array;
  features?: Float32Array;
  labels: Int32Array;
  indices: number[];
}

export interface StepResult {
  loss: number;
  correct: number;
  gradNorm?: number;
}

/**
 * Steps per ORT run for a run on `device`: ORT's Node binding copies every output of a run into a new
 * buffer (the weights, and Adam's m and v), so several steps per run pay that once. Only in frozen and
 * probe modes, whose steps are short next to that copy: torchvision frozen SGD at batch 32 took 135-140
 * ms a step at 4 per run against 167-185 at 1, for 0.85 GB more peak memory (2.86 GB against 2.0;
 * `alexnet bench --train --mode frozen --batch-size 32 --steps 8 --steps-per-run 4`). Whole-network Adam
 * at batch 16 gained 6% for 0.83 GB, so whole runs keep 1. SGD returns its weights and the ones before
 * (runner.ts), so it needs S >= 3 to gain; Adam returns its state once per run at any S. S divides the
 * epoch's steps, so a run never straddles a checkpoint; 1 when none does, and on GPU devices.
 */
export function chooseStepsPerRun(device: DeviceId, kind: 'sgd' | 'adam', whole: boolean, stepsPerEpoch: number): number {
  if (device !== 'cpu' || whole) return 1;
  const candidates = kind === 'adam' ? [4, 2] : [4, 3];
  return candidates.find((s) => stepsPerEpoch % s === 0) ?? 1;
}

export interface OrtTrainStep {
  readonly label: string;
  /** where the steps run now (the CPU after a GPU session failed, saying why) */
  readonly device: TrainDeviceRecord;
  step(b: OrtBatch, lr: number, dropoutSeed: number): Promise<StepResult>;
  /** steps one ORT run takes (several save the copy of the weights out of each run: runner.ts) */
  readonly stepsPerRun: number;
  /** `stepsPerRun` steps in one run; fewer (an epoch's last, a skipped batch) go on one step per run from then on */
  steps(items: { b: OrtBatch; lr: number; dropoutSeed: number }[]): Promise<StepResult[]>;
  /** per-example cross-entropy and argmax predictions, no dropout */
  /** per image: cross-entropy, predicted class, softmax (n x classes) */
  evaluate(b: OrtBatch): Promise<{ losses: Float32Array; preds: Int32Array; probs: Float32Array }>;
  /** the trained parameters, canonical layout (valid until the next step) */
  params(): Record<string, HostTensor>;
  /** optimiser tensors for the checkpoint */
  stateTensors(): Record<string, HostTensor>;
  optimizerState(): OrtOptimizerState;
  dispose(): Promise<void>;
}

/** Whether training runs on ONNX Runtime here ('auto': whenever onnxruntime-node loads). */
export function ortTrainingAvailable(pref: 'auto' | 'onnx' | 'tfjs' = 'auto'): { ok: boolean; reason?: string; version?: string } {
  if (pref === 'tfjs') return { ok: false, reason: 'tfjs was asked for' };
  const a = onnxAvailable();
  if (!a.ok && pref === 'onnx') throw new Error(`training on ONNX Runtime was asked for, but ${a.reason}`);
  return a;
}

export async function createOrtTrainStep(opts: {
  config: TrainConfig;
  spec: ModelSpec;
  /** canonical values of the trained parameters */
  trained: Record<string, HostTensor>;
  /** checkpoint tensors and the optimiser state recorded with them */
  checkpoint?: { tensors: Record<string, HostTensor>; optimizer?: OrtOptimizerState; lr: number };
  version?: string;
  /** the engine's device choice (default: the CPU) */
  device?: TrainDeviceRecord;
  /** why the steps left a device (its session failed) */
  log?: (message: string) => void;
  /** the steps moved to the CPU mid-run (the record changed) */
  onDeviceChange?: (device: TrainDeviceRecord) => void;
  /** stand-in for tests: how runners are made */
  createRunner?: RunnerFactory;
  /** steps per ORT run (chooseStepsPerRun; default 1) */
  stepsPerRun?: number;
}): Promise<OrtTrainStep> {
  const { config, spec, trained } = opts;
  const cut = featureCutFor(config.mode);
  const frozen = !!cut;
  const kind = config.optimizer ?? 'sgd';
  let state: RunnerState | undefined;
  if (opts.checkpoint) {
    const tensors = { ...opts.checkpoint.tensors };
    if (kind === 'sgd') {
      // a tfjs checkpoint holds the paper's velocity v = W - W_prev: W_prev = W - v
      for (const [name, w] of Object.entries(trained)) {
        const v = tensors[`momentum/${name}`];
        if (!tensors[`prev/${name}`] && v) tensors[`prev/${name}`] = { shape: w.shape, data: w.data.map((x, i) => x - v.data[i]) };
      }
    }
    state = { tensors, steps: opts.checkpoint.optimizer?.steps ?? 0, lastLr: opts.checkpoint.optimizer?.lastLr ?? opts.checkpoint.lr };
  }
  const runnerOptions: Omit<RunnerOptions, 'device'> = {
    spec, frozen,
    ...(cut ? { features: { layer: cut.layer, dropout: cut.dropout } } : {}),
    graph: { batchHint: config.batchSize },
    stepsPerRun: opts.stepsPerRun ?? 1,
    optimizer: {
      kind, weightDecay: config.weightDecay, momentum: config.momentum,
      beta1: config.adamBetas?.[0], beta2: config.adamBetas?.[1], eps: config.adamEps, clipNorm: config.clipGradNorm ?? 0,
    },
  };
  const create: RunnerFactory = opts.createRunner ?? ((o, p, st) => TrainRunner.create(o, p, st));
  const made = await createRunnerOnDevice(runnerOptions, trained, state, opts.device ?? deviceRecordOf(), opts.log, create);
  let runner = made.runner;
  let device = made.device;
  /** A GPU session that fails mid-run: the same weights and optimiser state on the CPU, then `work` again. */
  const orCpu = async <T>(what: string, work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (e) {
      if (device.id === 'cpu') throw e;
      const reason = `the ${DEVICE_LABELS[device.id]} training session failed ${what}: ${firstLine(e)}`;
      opts.log?.(`${reason}; training goes on on the CPU from the last finished step`);
      // the runner's buffers rotate only after a step succeeded: they hold the last finished one
      const next = await create({ ...runnerOptions, device: 'cpu' }, copyTensors(runner.params()), runner.state());
      await runner.dispose().catch(() => undefined);
      runner = next;
      device = onCpuBecause(device, reason);
      opts.onDeviceChange?.(device);
      return work();
    }
  };
  const K = spec.numClasses;
  const masksFor = (n: number, dropoutSeed: number): Record<string, Float32Array> => {
    const out: Record<string, Float32Array> = {};
    for (const m of runner.masks) {
      const r = new Rng(hashSeed(dropoutSeed, spec.layers.findIndex((l) => l.name === m.layer)));
      const keep = 1 / (1 - m.rate);
      const a = new Float32Array(n * m.units);
      for (let i = 0; i < a.length; i++) a[i] = r.next() < m.rate ? 0 : keep;
      out[m.layer] = a;
    }
    return out;
  };
  const inputOf = (b: OrtBatch): Float32Array => {
    const x = frozen ? b.features : b.x;
    if (!x) throw new Error(frozen ? `${config.mode} training needs cached features` : 'the batch has no images');
    return x;
  };
  const steps = async (items: { b: OrtBatch; lr: number; dropoutSeed: number }[]): Promise<StepResult[]> => {
    if (items.length !== runner.stepsPerRun) {
      // a run of S steps takes exactly S batches: the same weights and state in a runner of one step per run
      const next = await create({ ...runnerOptions, device: device.id, stepsPerRun: 1 }, copyTensors(runner.params()), runner.state());
      await runner.dispose().catch(() => undefined);
      runner = next;
      runnerOptions.stepsPerRun = 1;
      const out: StepResult[] = [];
      for (const it of items) out.push(...(await steps([it])));
      return out;
    }
    const inputs = items.map(({ b, lr, dropoutSeed }) => {
      const n = b.indices.length;
      return { input: inputOf(b), n, labels: b.labels, masks: masksFor(n, dropoutSeed), lr };
    });
    const rs = await orCpu('in a step', () => runner.steps(inputs));
    return rs.map((r) => ({ loss: r.loss, correct: r.correct, ...(r.gradNorm !== undefined ? { gradNorm: r.gradNorm } : {}) }));
  };
  return {
    get label() {
      return `onnxruntime-node ${opts.version ?? ''} (${device.label})`.replace('  ', ' ');
    },
    get device() {
      return device;
    },
    get stepsPerRun() {
      return runner.stepsPerRun;
    },
    step: async (b, lr, dropoutSeed) => (await steps([{ b, lr, dropoutSeed }]))[0],
    steps: (items) => steps(items),
    async evaluate(b) {
      const n = b.indices.length;
      const logits = await orCpu('evaluating', () => runner.logits(inputOf(b), n));
      const losses = new Float32Array(n);
      const preds = new Int32Array(n);
      const probs = new Float32Array(n * K);
      for (let i = 0; i < n; i++) {
        let best = 0;
        let max = -Infinity;
        for (let k = 0; k < K; k++)
          if (logits[i * K + k] > max) {
            max = logits[i * K + k];
            best = k;
          }
        let sum = 0;
        for (let k = 0; k < K; k++) {
          probs[i * K + k] = Math.exp(logits[i * K + k] - max);
          sum += probs[i * K + k];
        }
        for (let k = 0; k < K; k++) probs[i * K + k] /= sum;
        losses[i] = Math.log(sum) + max - logits[i * K + b.labels[i]];
        preds[i] = best;
      }
      return { losses, preds, probs };
    },
    params: () => runner.params(),
    stateTensors: () => runner.state().tensors,
    optimizerState: () => ({ steps: runner.stepsDone, lastLr: runner.lastLearningRate }),
    dispose: () => runner.dispose(),
  };
}

function copyTensors(t: Record<string, HostTensor>): Record<string, HostTensor> {
  return Object.fromEntries(Object.entries(t).map(([k, v]) => [k, { shape: [...v.shape], data: Float32Array.from(v.data) }]));
}
