// Whole training steps of a ModelSpec as one ONNX graph: forward, explicit backward, update.
//  inputs:  x [B, S, S, 3] NHWC (or, frozen, features [B, 6, 6, C] NHWC from the feature cache; a
//           linear probe's features [B, units] of relu7),
//           target [B, K] (one-hot / B), mask.<dropout layer> [B, units] (0 or 1/(1-rate)),
//           w.<param> (conv weights OIHW), optimiser state (prev.* | m.*, v.*),
//           scalars (lr, mu | stepSize, bc2sqrt; maxNorm)
//  outputs: loss [], logits [B, K], new.<param>, new.<state> (Adam), gradNorm [] (with clipping)
// With `stepsPerRun` S > 1 the graph takes S steps one after the other, each on its own batch: the
// per-step inputs and outputs of step k > 0 are named `<name>@k` (optimizer.ts subStep), the weights
// and state go in once and the last step's come out. ORT's Node binding copies every output into a
// new JS buffer after a run (244 MB of weights for torchvision, single-threaded), so S steps per run
// pay that once (SGD then returns its previous weights too, so S >= 3 saves copies for it; Adam's
// weights, m and v come out once instead of S times). A run takes exactly S batches: a step padded
// with a zero-row batch hung in ORT 1.30's CPU kernels (measured: a spinning run), and SGD's state
// after such a no-op step would be wrong anyway (its previous weights would be the current ones).
// The forward-only graph (same inputs for weights and batch) returns the logits, for validation.
import type { Layer, ModelSpec } from '../../model/spec';
import { paramShapes } from '../../model/spec';
import type { Dim } from '../onnxProto';
import { CPU_GRAPH_OPTIONS, TrainGraph, type TrainGraphOptions } from './graphBuilder';
import { layerForward, type LayerContext, type LayerStep, type ParamGrad } from './layers';
import { softmaxCrossEntropy } from './loss';
import { addUpdates, statePrefixes, subStep, type OptimizerSpec, type ParamIO } from './optimizer';

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
  /** training steps one run takes (default 1) */
  stepsPerRun?: number;
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
  /** scalar inputs of step 0 (step k: subStep(name, k)), and maxNorm with clipping */
  scalarInputs: string[];
  stepsPerRun: number;
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
  steps: LayerStep[];
  logits: string;
}

interface Prepared {
  g: TrainGraph;
  built: Omit<BuiltStep, 'bytes' | 'statePrefixes' | 'scalarInputs' | 'stepsPerRun'>;
  /** graph inputs of the weights, by canonical name */
  params: Map<string, string>;
  /** the layers the graph runs, and the shape of what the first one is fed */
  layers: Layer[];
  shape: number[];
}

/** The graph with its weight inputs, and what a caller feeds. */
function prepare(name: string, s: StepGraphSpec): Prepared {
  const opts = { ...CPU_GRAPH_OPTIONS, ...(s.graph ?? {}) };
  const g = new TrainGraph(name, opts);
  const { spec } = s;
  const cut = cutOf(s);
  const layers = layersOf(spec, cut);
  const used = new Set(layers.filter((l) => l.kind === 'conv' || l.kind === 'dense').map((l) => l.name));
  const params = paramShapes(spec).filter((p) => used.has(p.name.split('.')[0])).map((p) => ({ name: p.name, dims: graphParamDims(spec, p.name, p.shape) }));
  const paramInputs = new Map(params.map((p) => [p.name, g.input(`w.${p.name}`, p.dims)]));
  let exampleDims: number[];
  let shape: number[];
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
  } else {
    shape = [3, spec.inputSize, spec.inputSize];
    exampleDims = [spec.inputSize, spec.inputSize, 3];
  }
  // the dropout masks are listed by the first training forward pass, which knows their widths
  return { g, params: paramInputs, layers, shape, built: { inputName: cut ? 'features' : 'x', params, masks: [], exampleDims } };
}

/** The forward pass of sub-step `k` with the weights `weight(name)`; declares its batch inputs. */
function forward(p: Prepared, s: StepGraphSpec, training: boolean, k: number, weight: (name: string) => string): Forward {
  const { g } = p;
  const { layers } = p;
  const frozen = !!cutOf(s);
  const batch = subStep(BATCH, k);
  const ctx: LayerContext = {
    g,
    nhwc: frozen,
    param: (n) => {
      if (!p.params.has(n)) throw new Error(`no parameter ${n}`);
      return weight(n);
    },
    mask: (layer) => subStep(`mask.${layer}`, k),
  };
  let shape = p.shape;
  const input = g.input(subStep(p.built.inputName, k), [batch, ...p.built.exampleDims]);
  let x = frozen ? input : g.transpose(input, [0, 3, 1, 2]);
  const steps: LayerStep[] = [];
  layers.forEach((layer, i) => {
    if (layer.kind === 'dropout' && !training) return;
    if (layer.kind === 'dropout') {
      if (k === 0) p.built.masks.push({ layer: layer.name, units: shape.reduce((a, b) => a * b, 1), rate: layer.rate });
      g.input(ctx.mask(layer.name), [batch, ...shape]);
    }
    const st = layerForward(ctx, layer, x, shape, layers[i - 1], layers[i + 1]);
    steps.push(st);
    x = st.out;
    shape = st.shape;
  });
  return { steps, logits: x };
}

export function buildTrainStep(s: StepGraphSpec): BuiltStep {
  const p = prepare(`alexnet-${s.spec.variant}-train`, s);
  const { g, built } = p;
  const K = s.spec.numClasses;
  const S = Math.max(1, Math.floor(s.stepsPerRun ?? 1));
  const prefixes = statePrefixes(s.optimizer.kind);
  // the weights and optimiser state each sub-step starts from: the graph inputs, then the step before's results
  let current = new Map(
    built.params.map((q) => {
      const state: Record<string, string> = {};
      for (const pre of prefixes) state[pre] = g.input(`${pre}${q.name}`, q.dims);
      return [q.name, { w: p.params.get(q.name)!, state }];
    }),
  );
  let scalarInputs: string[] = [];
  for (let k = 0; k < S; k++) {
    const { steps, logits } = forward(p, s, true, k, (n) => current.get(n)!.w);
    const target = g.input(subStep('target', k), [subStep(BATCH, k), K]);
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
    const io = new Map<string, ParamIO>();
    for (const q of built.params) io.set(q.name, { w: current.get(q.name)!.w, dims: q.dims as Dim[], state: current.get(q.name)!.state });
    const scalarStart = g.inputs.length;
    const { next, gradNorm } = addUpdates(g, s.optimizer, grads, io, k);
    if (k === 0) scalarInputs = g.inputs.slice(scalarStart).map((i) => i.name);
    g.output(subStep('loss', k), loss, []);
    g.output(subStep('logits', k), logits, [subStep(BATCH, k), K]);
    if (gradNorm) g.output(subStep('gradNorm', k), gradNorm, []);
    current = next;
  }
  for (const q of built.params) {
    const last = current.get(q.name)!;
    g.output(`new.${q.name}`, last.w, q.dims as Dim[]);
    // SGD's heavy-ball state is the weights before the last step: the caller's own input when S = 1
    for (const pre of prefixes) if (pre !== 'prev.' || S > 1) g.output(`new.${pre}${q.name}`, last.state[pre], q.dims as Dim[]);
  }
  return { ...built, bytes: g.encode(), statePrefixes: prefixes, scalarInputs, stepsPerRun: S };
}

export function buildForwardStep(s: Omit<StepGraphSpec, 'optimizer'>): BuiltStep {
  const spec = { ...s, optimizer: { kind: 'sgd' as const, weightDecay: 0 } };
  const p = prepare(`alexnet-${s.spec.variant}-eval`, spec);
  const { logits } = forward(p, spec, false, 0, (n) => p.params.get(n)!);
  p.g.output('logits', logits, [BATCH, s.spec.numClasses]);
  return { ...p.built, bytes: p.g.encode(), statePrefixes: [], scalarInputs: [], stepsPerRun: 1 };
}
