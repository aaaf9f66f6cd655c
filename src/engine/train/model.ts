// The network being trained: its spec (user's class count), starting parameters per mode, which
// of them learn, and the head (everything after pool5) with seeded dropout so runs are repeatable.
import * as tf from '@tensorflow/tfjs-core';
// tfjs-core alone registers no gradients (the tfjs umbrella package does this import)
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { applyLayer, heInit, paperInit, type Params } from '../model/alexnet';
import { describe as describeSpec, makeSpec, paramShapes, type ModelSpec } from '../model/spec';
import { loadWeightsFile } from '../weights/loadWeights';
import type { TrainConfig, TrainMode } from '../../protocol/engine/train';
import { hashSeed, RNG } from './rng';
import { scratchInit } from './init';

export const FEATURE_LAYER = 'pool5';
const HEAD_PARAMS = new Set(['fc6', 'fc7', 'fc8']);

/**
 * Where a mode's trained part starts: the layer whose output is cached (computed once with the
 * starting weights) and fed to the steps, the layers that learn, and whether the dropout layers
 * after the cut stay (a linear probe is logistic regression on fixed features: none).
 */
export interface FeatureCut {
  layer: string;
  trained: ReadonlySet<string>;
  dropout: boolean;
}

const CUTS: Partial<Record<TrainMode, FeatureCut>> = {
  frozen: { layer: FEATURE_LAYER, trained: HEAD_PARAMS, dropout: true },
  probe: { layer: 'relu7', trained: new Set(['fc8']), dropout: false },
};

/** The cut of a mode that trains on cached features (frozen, probe); undefined when images go through the whole network. */
export function featureCutFor(mode: TrainMode): FeatureCut | undefined {
  return CUTS[mode];
}

export function trainSpec(config: TrainConfig, numClasses: number): ModelSpec {
  return makeSpec(config.variant, {
    numClasses,
    ...(config.convChannels ? { convChannels: config.convChannels } : {}),
    ...(config.fcUnits ? { fcUnits: config.fcUnits } : {}),
  });
}

/** Output shape of a layer for one image: pool5 [6, 6, C], relu7 [units]. */
export function featureShape(spec: ModelSpec, layer = FEATURE_LAYER): number[] {
  const info = describeSpec(spec).find((i) => i.layer.name === layer);
  if (!info) throw new Error(`spec has no ${layer}`);
  return info.outputShape;
}

export function isTrainable(config: TrainConfig, paramName: string): boolean {
  const cut = featureCutFor(config.mode);
  return !cut || cut.trained.has(paramName.split('.')[0]);
}

export interface InitialParams {
  params: Params;
  /** what the starting weights were, for provenance */
  label: string;
}

/**
 * Scratch: the paper's init everywhere. Frozen/finetune: the file's weights for every layer but
 * fc8, which is new (N(0, 0.01), bias 1 as the paper initialises it); without a file, He-initialised
 * conv layers and the paper's init for the head (the caller labels that run as starting from random weights).
 */
export async function initialParams(config: TrainConfig, spec: ModelSpec): Promise<InitialParams> {
  const seed = hashSeed(config.seed, RNG.init);
  const inHead = (name: string) => HEAD_PARAMS.has(name.split('.')[0]);
  // Only what is kept is drawn (each weight has its own seed): random draws of 61M values take seconds.
  if (config.mode === 'scratch') return scratchInit(config.init ?? 'paper', spec, seed);
  if (!config.weights) {
    // Fine-tuning "from random weights": with the paper's init the conv features are nearly
    // constant (biases of 1 swamp N(0, 0.01) weights), leaving the head nothing to learn.
    // He-initialised convs give random but image-dependent features; the head keeps the paper's init.
    const he = heInit(spec, seed, (n) => !inHead(n));
    const head = paperInit(spec, seed, inHead);
    const params: Params = {};
    for (const { name } of paramShapes(spec)) params[name] = he[name] ?? head[name];
    return { params, label: 'random conv layers (He init), paper-init head' };
  }
  const params = paperInit(spec, seed, (n) => n.startsWith('fc8.'));
  const custom = config.convChannels || config.fcUnits;
  const loaded = await loadWeightsFile(config.weights.path, custom ? 'auto' : config.variant);
  const problems: string[] = [];
  for (const { name, shape } of paramShapes(spec)) {
    if (name.startsWith('fc8.')) continue;
    const src = loaded.params[name];
    if (!src) problems.push(`${name} missing`);
    else if (src.shape.length !== shape.length || src.shape.some((d, i) => d !== shape[i]))
      problems.push(`${name}: file [${src.shape.join(', ')}], model [${shape.join(', ')}]`);
  }
  if (problems.length) {
    for (const t of Object.values(params)) t.dispose();
    throw Object.assign(new Error(`${config.weights.path} does not fit AlexNet '${config.variant}': ${problems.join('; ')}`), { code: 'bad-weights' });
  }
  const ordered: Params = {}; // in the spec's order, as the other paths give them
  for (const { name } of paramShapes(spec)) ordered[name] = params[name] ?? tf.tensor(loaded.params[name].data, loaded.params[name].shape, 'float32');
  return { params: ordered, label: `${config.weights.path} (${loaded.source.format}, ${loaded.source.fileVariant})` };
}

/**
 * The layers after `from` (pool5: avgpool, flatten, dropout, fc6..fc8) on its features; logits out.
 * Dropout masks are seeded by `dropoutSeed` so a resumed run draws the same masks.
 */
export function headForward(spec: ModelSpec, params: Params, features: tf.Tensor, training: boolean, dropoutSeed = 0, from = FEATURE_LAYER): tf.Tensor2D {
  let h = features;
  let started = false;
  spec.layers.forEach((layer, i) => {
    if (!started) {
      started = layer.name === from;
      return;
    }
    if (layer.kind === 'softmax') return;
    if (layer.kind === 'dropout') {
      if (training) h = tf.dropout(h, layer.rate, undefined, hashSeed(dropoutSeed, i));
      return;
    }
    h = applyLayer(layer, params, h, training);
  });
  return h as tf.Tensor2D;
}

/** Everything up to pool5. */
export function convForward(spec: ModelSpec, params: Params, x: tf.Tensor4D): tf.Tensor4D {
  return forwardTo(spec, params, x, FEATURE_LAYER) as tf.Tensor4D;
}

/** Everything up to and including `layer`, without dropout (inference). */
export function forwardTo(spec: ModelSpec, params: Params, x: tf.Tensor4D, layer: string): tf.Tensor {
  if (!spec.layers.some((l) => l.name === layer)) throw new Error(`spec has no ${layer}`);
  let h: tf.Tensor = x;
  for (const l of spec.layers) {
    h = applyLayer(l, params, h, false);
    if (l.name === layer) break;
  }
  return h;
}

/** Mean softmax cross-entropy, and the number of correct argmax predictions. */
export function crossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D, numClasses: number): tf.Scalar {
  const logp = tf.logSoftmax(logits);
  const onehot = tf.oneHot(labels, numClasses);
  return tf.neg(tf.mean(tf.sum(tf.mul(onehot, logp), 1))) as tf.Scalar;
}
