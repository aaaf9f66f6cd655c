// The training loop: data plan per epoch, steps, validation, lr schedule, checkpoints, metrics.
// Every random choice (split, shuffle, crops, flips, PCA alphas, dropout masks) is derived from
// (seed, epoch, index/step), so a resumed run repeats exactly what an uninterrupted one does.
import * as tf from '@tensorflow/tfjs-core';
import { join, resolve } from 'node:path';
import type { Params } from '../model/alexnet';
import { paramShapes, type ModelSpec } from '../model/spec';
import type { HostTensor } from '../weights/hostTensor';
import { removeSpare } from '../weights/replaceFile';
import { readSafetensors, writeSafetensors } from '../weights/safetensors';
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import type {
  EpochRecord, RunConfigFile, SkippedFile, StepRecord, TrainConfig, TrainConfigInput, TrainEvent, TrainResult,
} from '../../protocol/engine/train';
import { centreCrop, cropNormalise, fixedCrops, type CropParams } from './augment';
import { resolveTrainConfig, warmupLr } from './config';
import { scanDataset, type Dataset, type LabelledImage } from './dataset';
import { FeatureCache, probeFeatureDir, variantFor, type FeatureKey } from './featureCache';
import { createFeatureExtractor, gpuBackendInUse, type FeatureRuntime } from './featureExtractor';
import { ImageSource, isSkippedFile, Prefetcher } from './loader';
import { ConfusionMatrix } from './metrics';
import { convForward, crossEntropy, FEATURE_LAYER, featureCutFor, featureShape, headForward, initialParams, isTrainable, trainSpec } from './model';
import { BASE_WEIGHTS_KEY, baseWeightsRef, verifyBaseWeights } from '../weights/baseWeights';
import { colourPca, PCA_ALPHA_STD, pcaShift, RgbCovariance, type ColourPca } from './pca';
import { hashSeed, RNG, rngFor } from './rng';
import {
  appendMetrics, BEST_FILE, CHECKPOINT_FILE, CONFIG_FILE, createRunDir, readRunConfig, truncateMetrics, writeJsonAtomic,
} from './runFiles';
import { slicedVariableGrads, sliceSizeFor } from './microBatch';
import { MomentumSgd } from './sgd';
import { float32View } from '../backend/tensorView';
import { applyPreset } from './presets';
import { finderRange, isBetterEpoch, plateauStep } from './schedule';
import { findLr } from './lrFinder';
import { pruneValidationRecords, ValidationRecorder, writeValidationRecord } from './valRecord';
import { chooseStepsPerRun, createOrtTrainStep, ortTrainingAvailable, type OrtOptimizerState, type OrtTrainStep } from './ortTrainStep';
import { deviceRecordOf } from './trainDevice';
import { computeProbe } from './probeImage';
import { pruneProbeRecords, readProbeRequest, writeProbeRecord, writeProbeRequest } from './probeFiles';
import type { DeviceReport } from '../../protocol/engine/device';

export interface TrainHooks {
  signal?: AbortSignal;
  emit?: (event: TrainEvent) => void;
  progress?: (done: number, total?: number, message?: string) => void;
  log?: (message: string) => void;
  /** frozen mode's feature cache: runtime, memory budget, and a probe of each extraction (tests, benchmarks) */
  features?: {
    runtime?: FeatureRuntime;
    cacheBudgetBytes?: number;
    onExtract?: (keys: FeatureKey[], runtime: 'onnx' | 'tfjs') => void;
    /** where probe runs keep their fc7 features across runs (default $XDG_CACHE_HOME or ~/.cache, /alexnet-explorer/train-features) */
    diskRoot?: string;
  };
  /** where the steps run: 'auto' (ONNX Runtime whenever onnxruntime-node loads, else tfjs), or forced */
  stepRuntime?: 'auto' | 'onnx' | 'tfjs';
  /** the engine's device choice (Engine.deviceReady: self-tested); absent: the CPU */
  device?: Pick<DeviceReport, 'preference' | 'chosen' | 'label' | 'skipped'>;
}

/** Everything a checkpoint needs besides the tensors (stored as JSON in its metadata). */
export interface CheckpointState {
  epochsDone: number;
  globalStep: number;
  lr: number;
  bestValAcc: number | null;
  /** lowest monitored loss (validation, else training) so far */
  bestMonitor: number | null;
  /** epochs since the monitored loss improved or lr was last cut (plateau rule) */
  sinceImprovement: number;
  /** epochs since the monitored loss improved (early stop) */
  sinceBest: number;
  lrDrops: number;
  finished: boolean;
  earlyStopped: boolean;
  pca: ColourPca | null;
  /** the rng is stateless: draws derive from this seed with the epoch/step/index */
  seed: number;
  initialWeights: string;
  /** the best epoch so far and its validation loss (best-epoch rule: schedule.ts isBetterEpoch) */
  bestEpoch?: number;
  bestValLoss?: number | null;
  /** ONNX Runtime steps: optimiser steps taken and the last step's lr (absent in tfjs checkpoints) */
  optimizer?: OrtOptimizerState;
}

export class TrainInputError extends Error {
  readonly code = 'bad-input';
}

const PCA_SAMPLE_IMAGES = 64;
const EVAL_BATCH = 32;
let runCounter = 0;

/** `probeImage`: watched from the first epoch on (written as the run's probe.json, which the view may change). */
export async function startTraining(folder: string, runsRoot: string, input: TrainConfigInput, hooks: TrainHooks = {}, opts: { probeImage?: string } = {}): Promise<TrainResult> {
  assertProbeImage(opts.probeImage);
  const dataset = await scanDataset(folder, { valFraction: input.valFraction ?? 0.2, seed: input.seed ?? 42 });
  if (!dataset.summary.trainable) throw new TrainInputError(`cannot train on ${folder}: ${dataset.summary.warnings.join('; ')}`);
  // the preset sizes the batch and the warm-up from the training images (presets.ts)
  const preset = applyPreset(input, dataset.train.length);
  const config = resolveTrainConfig(preset.input);
  for (const n of preset.notes) hooks.log?.(n);
  // frozen/probe runs save only what they train, completed from this file when loaded (weights/baseWeights.ts)
  const custom = config.convChannels || config.fcUnits;
  const baseWeights = featureCutFor(config.mode) && config.weights ? await baseWeightsRef(config.weights.path, custom ? 'auto' : config.variant) : undefined;
  const runDir = createRunDir(runsRoot);
  const configFile: RunConfigFile = {
    version: 1,
    folder,
    config,
    classNames: dataset.classNames,
    trainCount: dataset.train.length,
    valCount: dataset.val.length,
    stepsPerEpoch: Math.ceil(dataset.train.length / config.batchSize),
    layout: dataset.summary.layout,
    createdAt: new Date().toISOString(),
    ...(preset.notes.length ? { notes: preset.notes } : {}),
    ...(baseWeights ? { baseWeights } : {}),
  };
  writeJsonAtomic(join(runDir, CONFIG_FILE), configFile);
  if (opts.probeImage !== undefined) writeProbeRequest(runDir, resolve(opts.probeImage));
  return runTraining(runDir, configFile, dataset, null, hooks);
}

/** A probe image asked for at the start is refused before anything is written when it is not there. */
function assertProbeImage(path: string | undefined): void {
  if (path !== undefined && !existsSync(path)) throw new TrainInputError(`the probe image ${path} does not exist`);
}

/** Continues from the last checkpoint; `epochs` raises the planned epoch count; `probeImage` is watched from the next epoch. */
export async function resumeTraining(runDir: string, hooks: TrainHooks = {}, opts: { epochs?: number; probeImage?: string } = {}): Promise<TrainResult> {
  if (!existsSync(join(runDir, CONFIG_FILE))) throw new TrainInputError(`${runDir} is not a training run folder (no ${CONFIG_FILE})`);
  assertProbeImage(opts.probeImage);
  const configFile = readRunConfig(runDir);
  if (opts.epochs !== undefined && opts.epochs !== configFile.config.epochs) {
    configFile.config = resolveTrainConfig({ ...configFile.config, epochs: opts.epochs });
    writeJsonAtomic(join(runDir, CONFIG_FILE), configFile);
  }
  const { config } = configFile;
  const dataset = await scanDataset(configFile.folder, { valFraction: config.valFraction, seed: config.seed });
  if (dataset.classNames.join('\n') !== configFile.classNames.join('\n')) {
    throw new TrainInputError(`the classes in ${configFile.folder} changed since the run started (${configFile.classNames.join(', ')} -> ${dataset.classNames.join(', ')})`);
  }
  if (dataset.train.length !== configFile.trainCount || dataset.val.length !== configFile.valCount) {
    hooks.log?.(`dataset changed since the run started: train ${configFile.trainCount} -> ${dataset.train.length}, val ${configFile.valCount} -> ${dataset.val.length}`);
  }
  let checkpoint: Checkpoint | null = null;
  const ckptPath = join(runDir, CHECKPOINT_FILE);
  if (existsSync(ckptPath)) {
    const buf = await readFile(ckptPath);
    const { tensors, metadata } = readSafetensors(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength));
    checkpoint = { tensors, state: JSON.parse(metadata.state) as CheckpointState };
  }
  if (opts.probeImage !== undefined) writeProbeRequest(runDir, resolve(opts.probeImage));
  truncateMetrics(runDir, checkpoint?.state.epochsDone ?? 0, checkpoint?.state.globalStep ?? 0);
  // per-image validation records of epochs after the checkpoint are redone too
  pruneValidationRecords(runDir, [checkpoint?.state.bestEpoch, checkpoint?.state.epochsDone], checkpoint?.state.epochsDone ?? 0);
  pruneProbeRecords(runDir, (epoch) => epoch > (checkpoint?.state.epochsDone ?? 0));
  return runTraining(runDir, configFile, dataset, checkpoint, hooks);
}

interface Checkpoint {
  tensors: Record<string, HostTensor>;
  state: CheckpointState;
}

interface Batch {
  /** normalised crops, n x S x S x 3 (absent when features are given) */
  x?: Float32Array;
  /** pool5 features, n x 6 x 6 x C (frozen mode with cached features) */
  features?: Float32Array;
  labels: Int32Array;
  /** dataset indices of the images in the batch */
  indices: number[];
  skipped: SkippedFile[];
}

async function runTraining(runDir: string, configFile: RunConfigFile, dataset: Dataset, checkpoint: Checkpoint | null, hooks: TrainHooks): Promise<TrainResult> {
  const { config } = configFile;
  const numClasses = dataset.classNames.length;
  const spec = trainSpec(config, numClasses);
  const S = spec.inputSize;
  // frozen / probe: the steps train only the layers after `cut.layer`, on its cached output
  const cut = featureCutFor(config.mode);
  const frozen = !!cut;
  const headFrom = cut?.layer ?? FEATURE_LAYER;
  const headDropout = !cut || cut.dropout;
  const stepsPerEpoch = Math.ceil(dataset.train.length / config.batchSize);
  const totalSteps = stepsPerEpoch * config.epochs;
  const source = new ImageSource(spec.resizeTo);
  const aborted = () => hooks.signal?.aborted ?? false;

  // Parameters as variables; only the trainable ones get gradients and momentum.
  const prefix = `train${++runCounter}/`;
  let initialLabel: string;
  let startParams: Params;
  if (checkpoint) {
    startParams = {};
    // optimiser state is stored under "<kind>/<name>"; parameter names have no "/"
    for (const [name, t] of Object.entries(checkpoint.tensors)) if (!name.includes('/')) startParams[name] = tf.tensor(t.data, t.shape, 'float32');
    initialLabel = checkpoint.state.initialWeights;
    if (paramShapes(spec).some(({ name }) => !startParams[name])) {
      // a partial checkpoint (frozen/probe): the frozen layers come from the base file, if it is unchanged
      if (!configFile.baseWeights) throw new TrainInputError(`${join(runDir, CHECKPOINT_FILE)} lacks some layers and the run names no base weights file`);
      await verifyBaseWeights(configFile.baseWeights, join(runDir, CHECKPOINT_FILE));
      const base = await initialParams(config, spec);
      for (const [name, t] of Object.entries(base.params)) {
        if (startParams[name]) t.dispose();
        else startParams[name] = t;
      }
      startParams = Object.fromEntries(paramShapes(spec).map(({ name }) => [name, startParams[name]]));
    }
  } else {
    ({ params: startParams, label: initialLabel } = await initialParams(config, spec));
  }
  const vars: Record<string, tf.Variable> = {};
  for (const [name, t] of Object.entries(startParams)) {
    vars[name] = tf.variable(t, isTrainable(config, name), prefix + name);
    t.dispose();
  }
  const trainableNames = Object.keys(vars).filter((n) => isTrainable(config, n));
  const trainableVars: Record<string, tf.Variable> = Object.fromEntries(trainableNames.map((n) => [n, vars[n]]));
  const sgd = new MomentumSgd(config.momentum, config.weightDecay);
  // ONNX Runtime runs the steps whenever it loads: the trained parameters move into it (ortTrainStep.ts)
  const ortWanted = ortTrainingAvailable(hooks.stepRuntime);
  let ort: OrtTrainStep | undefined;
  if (ortWanted.ok) {
    const trained: Record<string, HostTensor> = {};
    for (const n of trainableNames) trained[n] = { shape: [...vars[n].shape], data: vars[n].dataSync() as Float32Array };
    ort = await createOrtTrainStep({
      config, spec, trained, version: ortWanted.version,
      ...(checkpoint ? { checkpoint: { tensors: checkpoint.tensors, optimizer: checkpoint.state.optimizer, lr: checkpoint.state.lr } } : {}),
      device: deviceRecordOf(hooks.device),
      stepsPerRun: chooseStepsPerRun(deviceRecordOf(hooks.device).id, config.optimizer ?? 'sgd', !frozen, stepsPerEpoch),
      log: (m) => hooks.log?.(m),
      // a GPU session failed mid-run: config.json says where the steps went and why
      onDeviceChange: (device) => {
        configFile.device = device;
        writeJsonAtomic(join(runDir, CONFIG_FILE), configFile);
      },
    });
    configFile.device = ort.device;
    writeJsonAtomic(join(runDir, CONFIG_FILE), configFile);
    if (ort.stepsPerRun > 1) hooks.log?.(`${ort.stepsPerRun} steps per ONNX Runtime run (the weights are copied out once per run)`);
    for (const n of trainableNames) {
      vars[n].dispose();
      delete vars[n];
      delete trainableVars[n];
    }
    hooks.log?.(`training steps run on ${ort.label}`);
  } else {
    if ((config.optimizer ?? 'sgd') !== 'sgd' || config.clipGradNorm) {
      throw new TrainInputError(`Adam and gradient clipping need ONNX Runtime, which cannot run here (${ortWanted.reason})`);
    }
    if (configFile.device) {
      // resumed where ONNX Runtime does not load: the earlier device no longer describes the steps
      delete configFile.device;
      writeJsonAtomic(join(runDir, CONFIG_FILE), configFile);
    }
    const savedVelocity: Record<string, Float32Array> = {};
    if (checkpoint) {
      for (const n of trainableNames) {
        const v = checkpoint.tensors[`momentum/${n}`];
        const prev = checkpoint.tensors[`prev/${n}`];
        if (v) savedVelocity[n] = v.data;
        else if (prev) savedVelocity[n] = checkpoint.tensors[n].data.map((w, i) => w - prev.data[i]); // ORT's W_prev -> W - W_prev
      }
    }
    sgd.init(trainableVars, savedVelocity);
  }
  const params = vars as unknown as Params;
  /**
   * every parameter, canonical layout, in the spec's order. On tfjs: views on the backend's memory
   * (write them out before the next step). On ONNX Runtime: the runner's tensors, which no later
   * step writes, and copies of the layers it does not train (tfjs views, which wasm may move).
   */
  const currentParams = (): Record<string, HostTensor> => {
    // on ONNX Runtime `vars` holds only the layers it does not train (the others were disposed)
    const host = ort ? copyTensors(hostParams(vars)) : hostParams(vars);
    const trained = ort?.params() ?? {};
    return Object.fromEntries(paramShapes(spec).map(({ name }) => [name, trained[name] ?? host[name]]));
  };
  // what the files hold: everything, or (with a base file) only the trained layers
  const partial = !!cut && !!configFile.baseWeights;
  const savedParams = (): Record<string, HostTensor> => {
    const all = currentParams();
    return partial ? Object.fromEntries(Object.entries(all).filter(([name]) => isTrainable(config, name))) : all;
  };

  const state: CheckpointState = checkpoint?.state ?? {
    epochsDone: 0, globalStep: 0, lr: config.lr, bestValAcc: null, bestMonitor: null, sinceImprovement: 0, sinceBest: 0,
    lrDrops: 0, finished: false, earlyStopped: false, pca: null, seed: config.seed, initialWeights: initialLabel,
  };
  if (checkpoint) checkpoint.tensors = {}; // let the host copies go

  const startedAt = performance.now();
  const result = (cancelled: boolean): TrainResult => ({
    runDir,
    bestValAcc: state.bestValAcc,
    ...(state.bestEpoch !== undefined ? { bestEpoch: state.bestEpoch, bestValLoss: state.bestValLoss ?? null } : {}),
    seconds: (performance.now() - startedAt) / 1000,
    epochs: state.epochsDone,
    cancelled,
    earlyStopped: state.earlyStopped,
    // this run's best file may still be committing: the run returns only after that (finally below)
    ...(state.bestEpoch !== undefined || existsSync(join(runDir, BEST_FILE)) ? { bestPath: join(runDir, BEST_FILE) } : {}),
    ...(ort ? { device: ort.device } : {}),
  });

  let featureCache: FeatureCache | undefined;
  // the last epoch's best and checkpoint files on their way to the disk (writeSafetensors)
  let pendingCommit: Promise<unknown> = Promise.resolve();
  let committing = false;
  try {
    if (state.finished && state.epochsDone >= config.epochs) return result(false);
    state.finished = false;
    state.earlyStopped = false;

    if (config.augment.pca && !frozen && !state.pca) {
      hooks.progress?.(0, totalSteps, 'Computing colour PCA of the training images');
      state.pca = await computeColourPca(dataset.train, source, config.seed);
    }

    // --- data -----------------------------------------------------------------------------
    const loadBatch = async (items: LabelledImage[], indices: number[], crop: (index: number, img: { width: number; height: number }) => CropParams): Promise<Batch> => {
      const loaded = await Promise.all(
        indices.map(async (i) => {
          try {
            return { i, img: await source.load(items[i].path) };
          } catch (e) {
            if (isSkippedFile(e)) return { i, skipped: e };
            throw e;
          }
        }),
      );
      const ok = loaded.filter((r) => r.img);
      const x = new Float32Array(ok.length * S * S * 3);
      ok.forEach((r, k) => cropNormalise(r.img!, S, crop(r.i, r.img!), spec.normalisation, x, k * S * S * 3));
      return {
        x,
        labels: Int32Array.from(ok.map((r) => items[r.i].label)),
        indices: ok.map((r) => r.i),
        skipped: loaded.filter((r) => r.skipped).map((r) => r.skipped!),
      };
    };
    const augmentFor = (epoch: number) => (index: number, img: { width: number; height: number }): CropParams => {
      const r = rngFor(config.seed, RNG.augment, epoch, index);
      const cx = r.int(img.width - S + 1);
      const cy = r.int(img.height - S + 1);
      const flip = r.next() < 0.5;
      const alphas: [number, number, number] = [r.normal(PCA_ALPHA_STD), r.normal(PCA_ALPHA_STD), r.normal(PCA_ALPHA_STD)];
      const centre = centreCrop(img, S);
      return {
        x: config.augment.crop ? cx : centre.x,
        y: config.augment.crop ? cy : centre.y,
        flip: config.augment.flip && flip,
        shift: config.augment.pca && state.pca ? pcaShift(state.pca, alphas) : [0, 0, 0],
      };
    };
    const centreFor = (_: number, img: { width: number; height: number }) => centreCrop(img, S);

    // Frozen mode: the conv features of each (image, fixed crop) are computed once (featureCache.ts),
    // by ONNX Runtime where it can (featureExtractor.ts); the steps then only run the head.
    const fShape = featureShape(spec, headFrom);
    const crops = fixedCrops(config.augment);
    if (frozen) {
      const { extractor, reason } = await createFeatureExtractor(spec, params, hooks.features?.runtime, headFrom);
      const onExtract = hooks.features?.onExtract;
      const diskDir = await probeFeatureDir(config, spec, configFile, headFrom, hooks.features?.diskRoot);
      featureCache = new FeatureCache({
        extractor, source, spec, crops, ...(diskDir ? { diskDir } : {}),
        ...(hooks.features?.cacheBudgetBytes !== undefined ? { budgetBytes: hooks.features.cacheBudgetBytes } : {}),
        onOverBudget: (m) => {
          hooks.log?.(m);
          hooks.progress?.(state.globalStep, totalSteps, m);
        },
        ...(onExtract ? { onExtract: (keys: FeatureKey[]) => onExtract(keys, extractor.runtime) } : {}),
      });
      const what = config.mode === 'probe' ? `Linear probe: ${headFrom} features` : 'Frozen convolutions: features';
      hooks.progress?.(state.globalStep, totalSteps, `${what} of ${crops.length} fixed crop(s) per image computed once by ${extractor.label} and cached`);
      if (reason && !gpuBackendInUse()) hooks.log?.(`frozen ${headFrom} features are computed by ${extractor.label}, slower than ONNX Runtime: ${reason}`);
    }
    const cache = featureCache;
    const cropsFor = (epoch: number, indices: number[]) => indices.map((i) => variantFor(config.seed, epoch, i, crops.length));
    if (cache && dataset.val.length) {
      // validation (centre crops) first, so it is cached even when training crops later exceed the budget
      const chunks = chunk(dataset.val.map((_, i) => i), EVAL_BATCH);
      for (let c = 0; c < chunks.length && !aborted(); c++) {
        hooks.progress?.(state.globalStep, totalSteps, `Computing validation features ${c + 1}/${chunks.length}`);
        await cache.batch('val', dataset.val, chunks[c], chunks[c].map(() => 0));
      }
    }

    // --- one step ----------------------------------------------------------------------------
    const trainStep = async (b: Batch, lr: number, dropoutSeed: number): Promise<{ loss: number; correct: number }> => {
      if (ort) return ort.step(b, lr, dropoutSeed);
      const n = b.indices.length;
      let correct: tf.Tensor | undefined;
      const loss = tf.tidy(() => {
        const labels = tf.tensor1d(b.labels, 'int32');
        const input = b.features ? tf.tensor(b.features, [n, ...fShape]) : tf.tensor4d(b.x!, [n, S, S, 3]);
        // On wasm a step that trains the convolutions runs in slices (its 4 GB heap; train/microBatch.ts).
        const corrects: tf.Tensor[] = [];
        const { value, grads } = slicedVariableGrads(n, sliceSizeFor(tf.getBackend(), n, !frozen, spec), (start, count, i) => {
          const part = <T extends tf.Tensor>(t: T): T => (count === n ? t : (tf.slice(t, start, count) as T));
          // frozen: the input is cached conv features (featureCache.ts), so only the head is on the tape
          const f = frozen ? part(input) : convForward(spec, params, part(input as tf.Tensor4D));
          const logits = headForward(spec, params, f, headDropout, dropoutSeed + i, headFrom);
          const y = part(labels);
          corrects.push(tf.keep(tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), y), 'int32'))));
          return crossEntropy(logits, y, numClasses);
        }, Object.values(trainableVars));
        correct = tf.keep(corrects.length === 1 ? corrects[0] : tf.addN(corrects));
        if (corrects.length > 1) tf.dispose(corrects);
        const byName: Record<string, tf.Tensor> = {};
        for (const [vname, g] of Object.entries(grads)) byName[vname.slice(prefix.length)] = g;
        sgd.apply(trainableVars, byName, lr);
        return value;
      });
      const out = { loss: loss.dataSync()[0], correct: correct!.dataSync()[0] };
      loss.dispose();
      correct!.dispose();
      return out;
    };

    // --- learning-rate finder (lrFinder.ts): a throw-away ORT copy of the initial weights -------
    if (config.lrFind && !checkpoint && !configFile.lrFinder) {
      if (!ort) {
        hooks.log?.(`the learning-rate finder needs ONNX Runtime (${ortWanted.reason}): training at lr ${config.lr}`);
      } else {
        const probe = await createOrtTrainStep({ config, spec, trained: copyTensors(ort.params()), version: ortWanted.version, device: ort.device, log: (m) => hooks.log?.(m) });
        try {
          const order = rngFor(config.seed, RNG.shuffle, 0).shuffle(dataset.train.map((_, i) => i));
          const found = await findLr({
            step: async (lr, i) => {
              const idx = Array.from({ length: Math.min(config.batchSize, order.length) }, (_, k) => order[(i * config.batchSize + k) % order.length]);
              // frozen: the head trains on cached conv features, as the real steps do
              const b = cache ? await cache.batch('train', dataset.train, idx, cropsFor(0, idx)) : await loadBatch(dataset.train, idx, augmentFor(0));
              return (await probe.step(b, lr, hashSeed(config.seed, RNG.dropout, -1 - i))).loss;
            },
          }, {
            range: finderRange(config.optimizer ?? 'sgd'),
            aborted,
            progress: (i, n, lr, loss) => hooks.progress?.(0, totalSteps, `Finding the learning rate: step ${i}/${n}, lr ${lr.toExponential(1)}, loss ${loss.toFixed(3)}`),
          });
          if (aborted()) return result(true);
          configFile.lrFinder = found;
          configFile.config = { ...config, lr: found.lr };
          state.lr = found.lr;
          writeJsonAtomic(join(runDir, CONFIG_FILE), configFile);
          hooks.log?.(`learning-rate finder: lr ${found.lr.toExponential(2)} (${found.rule}; ${found.trace.length} steps, ${found.seconds.toFixed(0)} s)`);
        } finally {
          await probe.dispose();
        }
      }
    }

    // --- validation --------------------------------------------------------------------------
    const evaluate = async (): Promise<{ loss: number | null; acc: number | null; cm: ConfusionMatrix; images: ValidationRecorder; skipped: SkippedFile[]; n: number }> => {
      const cm = new ConfusionMatrix(numClasses);
      const images = new ValidationRecorder(configFile.folder);
      const skipped: SkippedFile[] = [];
      let lossSum = 0;
      const items = dataset.val;
      const chunks = chunk(items.map((_, i) => i), EVAL_BATCH);
      const pf = new Prefetcher<Batch>(chunks.length, (c) => (cache ? cache.batch('val', items, chunks[c], chunks[c].map(() => 0)) : loadBatch(items, chunks[c], centreFor)));
      for (let c = 0; c < chunks.length; c++) {
        const b = (await pf.next())!.value;
        skipped.push(...b.skipped);
        const n = b.indices.length;
        if (!n) continue;
        const { losses, preds, probs } = ort ? await ort.evaluate(b) : tf.tidy(() => {
          const f = b.features ? tf.tensor(b.features, [n, ...fShape]) : convForward(spec, params, tf.tensor4d(b.x!, [n, S, S, 3]));
          const logits = headForward(spec, params, f, false, 0, headFrom);
          const labels = tf.oneHot(tf.tensor1d(b.labels, 'int32'), numClasses);
          const logProbs = tf.logSoftmax(logits);
          const perExample = tf.neg(tf.sum(tf.mul(labels, logProbs), 1));
          return {
            losses: perExample.dataSync() as Float32Array,
            preds: tf.argMax(logits, 1).dataSync() as Int32Array,
            probs: tf.exp(logProbs).dataSync() as Float32Array,
          };
        });
        b.indices.forEach((idx, k) => {
          lossSum += losses[k];
          cm.add(b.labels[k], preds[k], items[idx].path);
          images.add(items[idx].path, b.labels[k], preds[k], probs.subarray(k * numClasses, (k + 1) * numClasses), losses[k]);
        });
        await yieldNow();
      }
      const n = cm.total;
      return { loss: n ? lossSum / n : null, acc: cm.accuracy, cm, images, skipped, n };
    };

    // --- the probe image (probeImage.ts): top-5 and Grad-CAM with the epoch's weights ------------
    // probe.json may appear mid-run (the view writes it); a failure is logged and the run goes on
    const probeEpoch = async (epoch: number): Promise<void> => {
      let image: string | null = null;
      try {
        image = readProbeRequest(runDir);
        if (!image) return;
        hooks.progress?.(epoch * stepsPerEpoch, totalSteps, `Epoch ${epoch}/${config.epochs} · probe image`);
        const record = await computeProbe({ spec, host: currentParams(), image, epoch, classNames: dataset.classNames, runtime: ort ? 'onnx' : 'tfjs' });
        writeProbeRecord(runDir, record);
        hooks.emit?.({ kind: 'trainProbe', runDir, ...record });
      } catch (e) {
        hooks.log?.(`probe image${image ? ` ${image}` : ''} skipped at epoch ${epoch}: ${(e as Error).message}`);
      }
    };

    // --- epochs -------------------------------------------------------------------------------
    hooks.emit?.({
      kind: 'trainStart', runDir, config: configFile, startEpoch: state.epochsDone + 1, startGlobalStep: state.globalStep, totalSteps, resumed: !!checkpoint,
    });
    const recentStepMs: number[] = [];
    for (let epoch = state.epochsDone + 1; epoch <= config.epochs; epoch++) {
      const epochStart = performance.now();
      const order = rngFor(config.seed, RNG.shuffle, epoch).shuffle(dataset.train.map((_, i) => i));
      const batches = chunk(order, config.batchSize);
      const augment = augmentFor(epoch);
      const pf = new Prefetcher<Batch>(batches.length, (i) =>
        cache ? cache.batch('train', dataset.train, batches[i], cropsFor(epoch, batches[i])) : loadBatch(dataset.train, batches[i], augment));
      const epochSkipped: SkippedFile[] = [];
      let lossSum = 0;
      let correctSum = 0;
      let seen = 0;
      // On ONNX Runtime several steps may share one run (ortTrainStep.ts chooseStepsPerRun): the
      // batches are gathered, run together, then recorded one by one as before.
      type Pending = { step: number; globalStep: number; b: Batch; waitMs: number; stepLr: number };
      let pending: Pending[] = [];
      const flush = async () => {
        if (!pending.length) return;
        const group = pending;
        pending = [];
        const c0 = performance.now();
        const results = ort && group.length > 1
          ? await ort.steps(group.map((p) => ({ b: p.b, lr: p.stepLr, dropoutSeed: hashSeed(config.seed, RNG.dropout, p.globalStep) })))
          : [await trainStep(group[0].b, group[0].stepLr, hashSeed(config.seed, RNG.dropout, group[0].globalStep))];
        const computeMs = (performance.now() - c0) / group.length;
        group.forEach(({ step, globalStep, b, waitMs, stepLr }, k) => {
          const { loss, correct } = results[k];
          const n = b.indices.length;
          const stepMs = computeMs + waitMs;
          lossSum += loss * n;
          correctSum += correct;
          seen += n;
          recentStepMs.push(stepMs);
          if (recentStepMs.length > 20) recentStepMs.shift();
          const remaining = totalSteps - globalStep;
          const etaSeconds = (remaining * recentStepMs.reduce((a, c) => a + c, 0)) / recentStepMs.length / 1000;
          const record: StepRecord = {
            type: 'step', epoch, step, stepsPerEpoch, globalStep, loss, acc: correct / n, lr: stepLr, batchSize: n,
            imagesPerSec: n / (stepMs / 1000), waitMs, computeMs, time: Date.now(),
          };
          appendMetrics(runDir, record);
          const { type: _t, ...fields } = record;
          hooks.emit?.({ kind: 'trainStep', runDir, totalSteps, etaSeconds, ...fields });
          hooks.progress?.(globalStep, totalSteps,
            `Epoch ${epoch}/${config.epochs} · step ${step}/${stepsPerEpoch} · loss ${loss.toFixed(3)} · ${record.imagesPerSec.toFixed(1)} img/s · ${formatDuration(etaSeconds)} left`);
        });
        await yieldNow();
      };
      for (let step = 1; step <= batches.length; step++) {
        if (aborted()) return result(true);
        const globalStep = (epoch - 1) * stepsPerEpoch + step;
        const t0 = performance.now();
        const b = (await pf.next())!.value;
        const waitMs = performance.now() - t0;
        epochSkipped.push(...b.skipped);
        if (b.indices.length) pending.push({ step, globalStep, b, waitMs, stepLr: warmupLr(config, state.lr, globalStep) });
        if (pending.length >= (ort?.stepsPerRun ?? 1) || step === batches.length) await flush();
      }
      if (aborted()) return result(true);
      hooks.progress?.(epoch * stepsPerEpoch, totalSteps, `Epoch ${epoch}/${config.epochs} · validating`);
      const val = await evaluate();
      if (aborted()) return result(true);
      const trainLoss = seen ? lossSum / seen : NaN;
      const monitor = val.loss ?? trainLoss;
      const lrUsed = state.lr;
      Object.assign(state, plateauStep(state, monitor, config.patience));
      const isBest = isBetterEpoch({ valAcc: val.acc, valLoss: monitor },
        state.bestEpoch === undefined ? null : { valAcc: state.bestValAcc, valLoss: state.bestValLoss ?? null });
      if (isBest) {
        state.bestEpoch = epoch;
        state.bestValAcc = val.acc;
        state.bestValLoss = monitor;
      }
      state.epochsDone = epoch;
      state.globalStep = epoch * stepsPerEpoch;
      state.earlyStopped = config.earlyStop > 0 && state.sinceBest >= config.earlyStop && epoch < config.epochs;
      state.finished = epoch === config.epochs || state.earlyStopped;

      const record: EpochRecord = {
        type: 'epoch', epoch, globalStep: state.globalStep, trainLoss, trainAcc: seen ? correctSum / seen : NaN,
        valLoss: val.loss, valAcc: val.acc, lr: lrUsed, nextLr: state.lr, confusion: val.cm.counts,
        precision: val.cm.precision(), recall: val.cm.recall(), examples: val.cm.exampleList(),
        skipped: dedupe([...epochSkipped, ...val.skipped]), best: isBest, trainImages: seen, valImages: val.n,
        seconds: (performance.now() - epochStart) / 1000, time: Date.now(),
      };
      // The last epoch's files are in place, and its records pruned, before this epoch writes its own.
      // Per-image record and metrics line first, then the checkpoint: a crash in between is undone by
      // resume's truncation; the records of epochs neither best nor last go once the checkpoint is safe.
      await pendingCommit;
      if (val.images.size) writeValidationRecord(runDir, val.images.record(epoch, dataset.classNames));
      appendMetrics(runDir, record);
      // The files are written, flushed to the disk and renamed into place while the next epoch trains
      // (frozen torchvision: 0.5-1.4 s of a 4 s epoch here). On ONNX Runtime the tensors are the
      // runner's, which no later step writes; tfjs's views change with the next step, so there the
      // bytes are written first. The epoch is announced once its files are in place (Use Trained
      // Model may then load best.safetensors), which can be while the next epoch's steps run.
      const saved = savedParams();
      const best = isBest ? writeSafetensors(join(runDir, BEST_FILE), saved, bestMetadata(spec, configFile, runDir, state, record), { recycle: true }) : undefined;
      if (ort) state.optimizer = ort.optimizerState();
      const checkpointFile = writeCheckpoint(runDir, saved, ort?.stateTensors() ?? velocityTensors(sgd), spec, configFile, state);
      const written = Promise.all([best, checkpointFile]);
      if (!ort) await written;
      const keep = [state.bestEpoch, epoch];
      const { type: _t, ...fields } = record;
      committing = true;
      pendingCommit = written
        .then((files) => Promise.all(files.map((f) => f?.committed)))
        .then(() => {
          pruneValidationRecords(runDir, keep);
          hooks.emit?.({ kind: 'trainEpoch', runDir, totalEpochs: config.epochs, ...fields });
        })
        .finally(() => {
          committing = false;
        });
      pendingCommit.catch(() => undefined); // awaited at the next epoch's end or the run's
      await probeEpoch(epoch);
      if (state.earlyStopped) {
        hooks.log?.(`early stop after epoch ${epoch}: no better loss for ${state.sinceBest} epochs`);
        break;
      }
    }
    return result(false);
  } finally {
    // batches still being prefetched finish before the extractor and the weights go
    await featureCache?.close();
    for (const v of Object.values(vars)) v.dispose();
    sgd.dispose();
    await ort?.dispose();
    // the run is reported once its last files are in place (a failed commit fails the run); a
    // finetune checkpoint is hundreds of MB, which a slow disk takes seconds to flush: say so
    if (committing) hooks.progress?.(state.globalStep, totalSteps, `Saving epoch ${state.epochsDone}'s checkpoint to disk`);
    try {
      await pendingCommit;
    } finally {
      // the recycled files' spares (replaceFile.ts) only speed up the next epoch's writes
      await Promise.all([CHECKPOINT_FILE, BEST_FILE].map((f) => removeSpare(join(runDir, f)).catch(() => undefined)));
    }
  }
}

async function computeColourPca(items: LabelledImage[], source: ImageSource, seed: number): Promise<ColourPca> {
  const pick = rngFor(seed, RNG.pcaSample).shuffle(items.map((_, i) => i)).slice(0, PCA_SAMPLE_IMAGES);
  const cov = new RgbCovariance();
  await Promise.all(
    pick.map(async (i) => {
      try {
        cov.add((await source.load(items[i].path)).data, 4);
      } catch (e) {
        if (!isSkippedFile(e)) throw e; // reported when the image comes up in an epoch
      }
    }),
  );
  return colourPca(cov);
}

function hostParams(vars: Record<string, tf.Variable>): Record<string, HostTensor> {
  const out: Record<string, HostTensor> = {};
  // views on the backend's memory where it allows (wasm): written out before the next step changes them
  for (const [name, v] of Object.entries(vars)) out[name] = { shape: [...v.shape], data: float32View(v) };
  return out;
}

/** What the classifier needs to use best.safetensors as a model with the user's classes. */
function bestMetadata(spec: ModelSpec, configFile: RunConfigFile, runDir: string, state: CheckpointState, record: EpochRecord): Record<string, string> {
  return {
    format: 'alexnet-explorer',
    variant: spec.variant,
    numClasses: String(spec.numClasses),
    classNames: JSON.stringify(configFile.classNames),
    inputSize: String(spec.inputSize),
    resizeTo: String(spec.resizeTo),
    normalisation: JSON.stringify(spec.normalisation),
    provenance: JSON.stringify({
      kind: 'trained',
      runDir,
      dataset: configFile.folder,
      mode: configFile.config.mode,
      initialWeights: state.initialWeights,
      epoch: record.epoch,
      valAcc: record.valAcc,
      valLoss: record.valLoss,
      savedAt: new Date().toISOString(),
    }),
    ...(configFile.baseWeights ? { [BASE_WEIGHTS_KEY]: JSON.stringify(configFile.baseWeights) } : {}),
  };
}

function velocityTensors(sgd: MomentumSgd): Record<string, HostTensor> {
  const out: Record<string, HostTensor> = {};
  for (const [name, v] of sgd.velocity) out[`momentum/${name}`] = { shape: [...v.shape], data: float32View(v) };
  return out;
}

function writeCheckpoint(runDir: string, params: Record<string, HostTensor>, optimizerTensors: Record<string, HostTensor>, spec: ModelSpec, configFile: RunConfigFile, state: CheckpointState): Promise<{ committed: Promise<void> }> {
  const tensors = { ...params, ...optimizerTensors };
  return writeSafetensors(join(runDir, CHECKPOINT_FILE), tensors, {
    format: 'alexnet-explorer-checkpoint',
    variant: spec.variant,
    classNames: JSON.stringify(configFile.classNames),
    state: JSON.stringify(state),
    ...(configFile.baseWeights ? { [BASE_WEIGHTS_KEY]: JSON.stringify(configFile.baseWeights) } : {}),
  }, { recycle: true });
}

function copyTensors(t: Record<string, HostTensor>): Record<string, HostTensor> {
  return Object.fromEntries(Object.entries(t).map(([n, v]) => [n, { shape: [...v.shape], data: v.data.slice() }]));
}

function chunk<T>(a: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < a.length; i += size) out.push(a.slice(i, i + size));
  return out;
}

function dedupe(list: SkippedFile[]): SkippedFile[] {
  const seen = new Set<string>();
  return list.filter((s) => (seen.has(s.path) ? false : (seen.add(s.path), true)));
}

function yieldNow(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
}

export type { TrainConfig };
