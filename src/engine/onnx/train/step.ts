// One whole training step of a ModelSpec as one ONNX graph: forward, explicit backward, update.
//  inputs:  x [B, S, S, 3] NHWC (or, frozen, features [B, 6, 6, C] NHWC from the feature cache; a
//           linear probe's features [B, units] of relu7),
//           target [B, K] (one-hot / B), mask.<dropout layer> [B, units] (0 or 1/(1-rate)),
//           w.<param> (conv weights OIHW), optimiser state (prev.* | m.*, v.*), scalars (lr, mu | stepSize, bc2sqrt; maxNorm)
//  outputs: loss [], logits [B, K], new.<param>, new.<state> (Adam), gradNorm [] (with clipping)
// The forward-only graph (same inputs for weights and batch) returns the logits, for validation.
import type { ModelSpec } from '../../model/spec';
import { paramShapes } from '../../model/spec';
import type { Dim } from '../onnxProto';
import { CPU_GRAPH_OPTIONS, TrainGraph, type TrainGraphOptions } from './graphBuilder';
import { layerForward, type LayerContext, type LayerStep, type ParamGrad } from './layers';
import { softmaxCrossEntropy } from './loss';
import { addUpdates, statePrefixes, type OptimizerSpec, type ParamIO } from './optimizer';

export const FEATURE_LAYER = 'pool5';
const BATCH = 'batch';

/** Where a graph on cached features starts: the layer whose output it is fed, and whether the dropout layers after it stay. */
export interface FeatureInput {
  layer: string;
  dropout: boolean;
}

export interface StepGraphSpec {
  spec: ModelSpec;
  /** only the layers after pool5, fed with cached NHWC features */
  frozen: boolean;
  /** frozen graphs: start after this layer instead (a probe: relu7, no dropout); default pool5 with dropout */
  features?: FeatureInput;
  optimizer: OptimizerSpec;
  graph?: TrainGraphOptions;
}

export interface BuiltStep {
  bytes: Uint8Array;
  inputName: 'x' | 'features';
  /** canonical names of the parameters the graph takes (and, for a step, updates), forward order */
  params: { name: string; dims: number[] }[];
  /** dropout layers and their mask widths */
  masks: { layer: string; units: number; rate: number }[];
  /** one example's input shape: [S, S, 3], or the cached features' ([6, 6, C], [units]) */
  exampleDims: number[];
  statePrefixes: string[];
  scalarInputs: string[];
}

/** Graph shape of a parameter: conv weights OIHW, the rest as canonical. */
export function graphParamDims(spec: ModelSpec, name: string, canonical: number[]): number[] {
  const layer = spec.layers.find((l) => l.name === name.split('.')[0]);
  if (layer?.kind === 'conv' && name.endsWith('.weight')) {
    const [kh, kw, i, o] = canonical;
    return [o, i, kh, kw];
  }
  return canonical;
}

function cutOf(s: Pick<StepGraphSpec, 'frozen' | 'features'>): FeatureInput | undefined {
  return s.frozen ? (s.features ?? { layer: FEATURE_LAYER, dropout: true }) : undefined;
}

function layersOf(spec: ModelSpec, cut: FeatureInput | undefined) {
  const at = cut ? spec.layers.findIndex((l) => l.name === cut.layer) : -1;
  if (cut && at < 0) throw new Error(`spec has no ${cut.layer}`);
  return spec.layers.filter((l, i) => l.kind !== 'softmax' && i > at && (!cut || cut.dropout || l.kind !== 'dropout'));
}

interface Forward {
  g: TrainGraph;
  steps: LayerStep[];
  logits: string;
  built: Omit<BuiltStep, 'bytes' | 'statePrefixes' | 'scalarInputs'>;
  params: Map<string, string>;
}

function buildForward(name: string, s: StepGraphSpec, training: boolean): Forward {
  const opts = { ...CPU_GRAPH_OPTIONS, ...(s.graph ?? {}) };
  const g = new TrainGraph(name, opts);
  const { spec } = s;
  const cut = cutOf(s);
  const frozen = !!cut;
  const layers = layersOf(spec, cut);
  const used = new Set(layers.filter((l) => l.kind === 'conv' || l.kind === 'dense').map((l) => l.name));
  const params = paramShapes(spec).filter((p) => used.has(p.name.split('.')[0])).map((p) => ({ name: p.name, dims: graphParamDims(spec, p.name, p.shape) }));
  const paramInputs = new Map(params.map((p) => [p.name, g.input(`w.${p.name}`, p.dims)]));
  const masks: Forward['built']['masks'] = [];
  const ctx: LayerContext = {
    g,
    nhwc: frozen,
    param: (n) => {
      const p = paramInputs.get(n);
      if (!p) throw new Error(`no parameter ${n}`);
      return p;
    },
    mask: (layer) => `mask.${layer}`,
  };
  let x: string;
  let shape: number[];
  let exampleDims: number[];
  if (cut) {
    const at = spec.layers.findIndex((l) => l.name === cut.layer);
    const before = [...spec.layers.slice(0, at + 1)].reverse();
    const spatial = before.find((l) => l.kind === 'flatten' || l.kind === 'conv');
    if (spatial?.kind === 'conv') {
      // pool5: NHWC [6, 6, C] as cached
      shape = [spatial.filters, 6, 6];
      exampleDims = [6, 6, spatial.filters];
    } else {
      const d = before.find((l) => l.kind === 'dense');
      if (!d || d.kind !== 'dense') throw new Error(`no layer with a known width before ${cut.layer}`);
      shape = [d.units];
      exampleDims = [d.units];
    }
    x = g.input('features', [BATCH, ...exampleDims]);
  } else {
    shape = [3, spec.inputSize, spec.inputSize];
    exampleDims = [spec.inputSize, spec.inputSize, 3];
    x = g.transpose(g.input('x', [BATCH, spec.inputSize, spec.inputSize, 3]), [0, 3, 1, 2]);
  }
  const steps: LayerStep[] = [];
  layers.forEach((layer, i) => {
    if (layer.kind === 'dropout' && !training) return;
    if (layer.kind === 'dropout') {
      masks.push({ layer: layer.name, units: shape.reduce((a, b) => a * b, 1), rate: layer.rate });
      g.input(`mask.${layer.name}`, [BATCH, ...shape]);
    }
    const st = layerForward(ctx, layer, x, shape, layers[i - 1], layers[i + 1]);
    steps.push(st);
    x = st.out;
    shape = st.shape;
  });
  return { g, steps, logits: x, params: paramInputs, built: { inputName: frozen ? 'features' : 'x', params, masks, exampleDims } };
}

export function buildTrainStep(s: StepGraphSpec): BuiltStep {
  const { g, steps, logits, params, built } = buildForward(`alexnet-${s.spec.variant}-train`, s, true);
  const K = s.spec.numClasses;
  const target = g.input('target', [BATCH, K]);
  const { loss, dLogits } = softmaxCrossEntropy(g, logits, target);
  const grads: ParamGrad[] = [];
  // backward down to the first layer with parameters: nothing below it needs a gradient
  const first = steps.findIndex((st) => st.hasParams);
  let d = dLogits;
  for (let i = steps.length - 1; i >= first; i--) {
    const b = steps[i].backward(d, i > first);
    grads.push(...b.grads);
    if (i > first) d = b.dx!;
  }
  const prefixes = statePrefixes(s.optimizer.kind);
  const io = new Map<string, ParamIO>();
  for (const p of built.params) {
    const state: Record<string, string> = {};
    for (const pre of prefixes) state[pre] = g.input(`${pre}${p.name}`, p.dims);
    io.set(p.name, { w: params.get(p.name)!, dims: p.dims as Dim[], state });
  }
  const scalarStart = g.inputs.length;
  const { gradNorm } = addUpdates(g, s.optimizer, grads, io);
  const scalarInputs = g.inputs.slice(scalarStart).map((i) => i.name);
  g.output('loss', loss, []);
  g.output('logits', logits, [BATCH, K]);
  if (gradNorm) g.output('gradNorm', gradNorm, []);
  return { ...built, bytes: g.encode(), statePrefixes: prefixes, scalarInputs };
}

export function buildForwardStep(s: Omit<StepGraphSpec, 'optimizer'>): BuiltStep {
  const { g, logits, built } = buildForward(`alexnet-${s.spec.variant}-eval`, { ...s, optimizer: { kind: 'sgd', weightDecay: 0 } }, false);
  g.output('logits', logits, [BATCH, s.spec.numClasses]);
  return { ...built, bytes: g.encode(), statePrefixes: [], scalarInputs: [] };
}
