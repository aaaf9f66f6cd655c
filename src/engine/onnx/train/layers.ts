// Forward and explicit backward of each layer kind, as ONNX nodes (NCHW; conv weights OIHW,
// dense weights [in, out]). Each forward returns its output and a backward closure that maps the
// output's gradient to the input's (when asked) and to the layer's parameter gradients.
import type { ConvLayer, DenseLayer, Layer, LrnLayer, MaxPoolLayer } from '../../model/spec';
import { adaptivePoolMatrix } from '../graph';
import type { TrainGraph } from './graphBuilder';
import { blockedFilterIndex, nchwcApplies, nchwcConv } from './nchwc';
import { FlatIndex, gatherFlat } from './flatIndex';

/** A parameter's gradient: a tensor, or (dense weights) the two Gemm operands of x^T . dz, so an optimiser can fuse its update into that Gemm. */
export interface ParamGrad {
  name: string;
  grad?: string;
  gemm?: { x: string; dz: string };
}

export interface Backward {
  dx?: string;
  grads: ParamGrad[];
}

export interface LayerStep {
  out: string;
  /** shape of the output: [C, H, W] while spatial, [units] once flat */
  shape: number[];
  hasParams?: boolean;
  backward(dOut: string, needDx: boolean): Backward;
}

export interface LayerContext {
  g: TrainGraph;
  /** graph input holding a parameter (conv weights OIHW) */
  param(name: string): string;
  /** graph input holding a dropout layer's mask (0 or 1/(1-rate)) */
  mask(layer: string): string;
  /** the activation is NHWC (frozen mode's cached features) rather than NCHW */
  nhwc: boolean;
}

/** `prev` / `next`: the neighbouring layers (for fusing ReLU's derivative into MaxPool's backward). */
export function layerForward(ctx: LayerContext, layer: Layer, x: string, shape: number[], prev?: Layer, next?: Layer): LayerStep {
  const fusedReluPool = ctx.g.opts.fuseReluPool && ctx.g.opts.poolGrad === 'indices';
  switch (layer.kind) {
    case 'conv':
      return conv(ctx, layer, x, shape, next?.kind === 'relu');
    case 'relu': {
      // a blocked conv before has applied the ReLU already (its output is the ReLU's)
      const out = prev?.kind === 'conv' && blockedConv(ctx.g, prev) ? x : ctx.g.op('Relu', [x]);
      // a MaxPool right after applies ReLU's derivative on its (4x smaller) output side
      if (fusedReluPool && next?.kind === 'maxpool') return { out, shape, backward: (d) => ({ dx: d, grads: [] }) };
      // ReLU' from the output (y > 0 exactly where x > 0): the pre-activation need not be kept, so ORT
      // fuses the conv before into its ReLU and frees the conv's raw output
      return { out, shape, backward: (d) => ({ dx: ctx.g.wherePositive(out, d), grads: [] }) };
    }
    case 'lrn':
      return lrn(ctx, layer, x, shape);
    case 'maxpool':
      return maxPool(ctx, layer, x, shape, fusedReluPool && prev?.kind === 'relu');
    case 'adaptiveavgpool':
      return adaptiveAvgPool(ctx, layer.size, x, shape);
    case 'flatten':
      return flatten(ctx, x, shape);
    case 'dropout': {
      const m = ctx.mask(layer.name);
      return { out: ctx.g.mul(x, m), shape, backward: (d) => ({ dx: ctx.g.mul(d, m), grads: [] }) };
    }
    case 'dense':
      return dense(ctx, layer, x);
    case 'softmax':
      throw new Error('softmax is part of the loss, not a training layer');
  }
}

/** Whether `l`'s forward runs on the NCHWc kernels (nchwc.ts): a grouped conv as one blocked conv per group. */
function blockedConv(g: TrainGraph, l: ConvLayer): boolean {
  return nchwcApplies(g.opts.nchwcBlock, { inChannels: l.inChannels / l.groups, outChannels: l.filters / l.groups, groups: 1 });
}

/** `reluNext`: a ReLU follows, which a blocked conv applies itself. */
function conv(ctx: LayerContext, l: ConvLayer, x: string, [, h, w]: number[], reluNext: boolean): LayerStep {
  const { g } = ctx;
  const W = ctx.param(`${l.name}.weight`);
  const B = ctx.param(`${l.name}.bias`);
  const { kernel: k, stride: s, pad: p, groups } = l;
  const block = g.opts.nchwcBlock;
  const oh = Math.floor((h + 2 * p - k) / s) + 1;
  const ow = Math.floor((w + 2 * p - k) / s) + 1;
  const ci = l.inChannels / groups;
  const co = l.filters / groups;
  const sliceC = (t: string, i: number, n: number) => (groups === 1 ? t : g.op('Slice', [t, g.constI([i * n]), g.constI([(i + 1) * n]), g.constI([1])]));
  /** group `gi`'s filters [co, ci, k, k] in the layout `to` makes of them, gathered from W by one op (flatIndex.ts) */
  const groupFilter = (gi: number, to: (f: FlatIndex) => FlatIndex) => gatherFlat(g, W, to(FlatIndex.of([co, ci, k, k], gi * co * ci * k * k)));
  /** one result per group, concatenated along the channels */
  const perGroup = (f: (gi: number) => string) => (groups === 1 ? f(0) : g.op('Concat', Array.from({ length: groups }, (_, gi) => f(gi)), { axis: 1 }));
  // A grouped conv runs as one blocked conv per group (caffe's groups of 2): ORT's blocked kernels
  // take no groups, and its grouped Conv and ConvTranspose ran caffe's conv2 forward and dX in 40 and
  // 51 ms at b16, where torchvision's blocked conv2 of the same FLOPs took 33. The channel slices and
  // the concat are small.
  const out = blockedConv(g, l)
    ? perGroup((gi) => nchwcConv(g, sliceC(x, gi, ci), groupFilter(gi, (f) => blockedFilterIndex(f, co, ci, k, block)), groupRows(g, B, gi, co, groups), { inChannels: ci, outChannels: co, groups: 1 }, { kernel: k, stride: s, pad: p, relu: reluNext }, block))
    : g.op('Conv', [x, W, B], { kernel_shape: [k, k], strides: [s, s], pads: [p, p, p, p], group: groups });
  return {
    out,
    shape: [l.filters, oh, ow],
    hasParams: true,
    backward(dz, needDx) {
      const grads: ParamGrad[] = [];
      const parts: string[] = [];
      for (let gi = 0; gi < groups; gi++) {
        const xg = sliceC(x, gi, ci);
        const dzg = sliceC(dz, gi, co);
        // strided (conv1): the one-hot im2col Conv would cost twice the FLOPs of the Gemm it feeds
        parts.push(s === 1 && g.opts.convDw !== 'transpose' ? dwIm2col(g, xg, dzg, { ci, co, k, p, oh, ow }) : dwTransposed(g, xg, dzg, { h, w, oh, ow, k, s, p }));
      }
      grads.push({ name: `${l.name}.weight`, grad: parts.length === 1 ? parts[0] : g.op('Concat', parts, { axis: 0 }) });
      grads.push({ name: `${l.name}.bias`, grad: g.reduceSum(dz, [0, 2, 3]) });
      let dx: string | undefined;
      if (needDx) {
        const q = k - 1 - p;
        const dxShape = { inChannels: co, outChannels: ci, groups: 1 };
        const flip = (t: string, o: number, i: number) => flipHw(g, t, o, i, k);
        if (s === 1 && nchwcApplies(block, dxShape)) {
          // per group: the filters with in/out swapped, turned 180 degrees, in the blocked order: one gather
          dx = perGroup((gi) =>
            nchwcConv(g, sliceC(dz, gi, co), groupFilter(gi, (f) => blockedFilterIndex(f.transpose([1, 0, 2, 3]).flipLastTwo(), ci, co, k, block)), undefined, dxShape, { kernel: k, stride: 1, pad: q }, block),
          );
        } else if (s === 1 && groups === 1) {
          // dX = Conv(dz, flip_hw(W with in/out swapped)), pad k-1-p: faster than ConvTranspose on the CPU EP
          dx = g.op('Conv', [dz, flip(g.transpose(W, [1, 0, 2, 3]), l.inChannels, l.filters)], { kernel_shape: [k, k], pads: [q, q, q, q] });
        } else {
          const outH = s * (oh - 1) + k - 2 * p;
          const outW = s * (ow - 1) + k - 2 * p;
          dx = g.op('ConvTranspose', [dz, W], { kernel_shape: [k, k], strides: [s, s], pads: [p, p, p, p], group: groups, output_padding: [h - outH, w - outW] });
        }
      }
      return { dx, grads };
    },
  };
}

/** Rows [i*n, (i+1)*n) of a parameter (a group's filters or biases); the whole tensor when ungrouped. */
function groupRows(g: TrainGraph, t: string, i: number, n: number, groups: number): string {
  return groups === 1 ? t : g.op('Slice', [t, g.constI([i * n]), g.constI([(i + 1) * n]), g.constI([0])]);
}

/**
 * Filters [o, i, k, k] turned 180 degrees in their k x k plane. On the CPU EP as a MatMul of the
 * k*k values by the reversing permutation (exact: each output is one value times 1 plus zeros): a
 * Slice with negative steps copied element by element, 5.7 against 0.6 ms for conv4's 3.5 MB.
 */
function flipHw(g: TrainGraph, w: string, o: number, i: number, k: number): string {
  if (g.opts.gpuSafe) return g.op('Slice', [w, g.constI([-1, -1]), g.constI([-(k + 1), -(k + 1)]), g.constI([2, 3]), g.constI([-1, -1])]);
  const kk = k * k;
  const reverse = new Float32Array(kk * kk);
  for (let j = 0; j < kk; j++) reverse[j * kk + (kk - 1 - j)] = 1;
  return g.reshape(g.op('MatMul', [g.reshape(w, [o * i, kk]), g.constF(reverse, [kk, kk])]), [o, i, k, k]);
}

/**
 * dW [co, ci, k, k] of a stride-1 conv as im2col (a grouped Conv with one-hot filters) + Gemm, in batch
 * chunks whose columns stay under `im2colMaxBytes` at `batchHint` images: each chunk's Gemm adds onto
 * the previous one's result through its C input. Batches other than `batchHint` work: a chunk past the
 * batch is empty (ORT's Conv, Reshape and Gemm take zero rows) and the last one takes any rest.
 */
function dwIm2col(g: TrainGraph, x: string, dz: string, d: { ci: number; co: number; k: number; p: number; oh: number; ow: number }): string {
  const { ci, co, k, p } = d;
  const kk = k * k;
  const eye = new Float32Array(ci * kk * kk);
  for (let c = 0; c < ci; c++) for (let j = 0; j < kk; j++) eye[(c * kk + j) * kk + j] = 1;
  const oneHot = g.constF(eye, [ci * kk, 1, k, k]);
  const perImage = ci * kk * d.oh * d.ow * 4;
  const chunk = Math.max(1, Math.min(g.opts.batchHint, Math.floor(g.opts.im2colMaxBytes / perImage)));
  const chunks = Math.max(1, Math.ceil(g.opts.batchHint / chunk));
  let acc: string | undefined;
  for (let i = 0; i < chunks; i++) {
    let rows = (t: string) => t;
    if (chunks > 1) {
      const end = g.constI([i === chunks - 1 ? 2 ** 53 : (i + 1) * chunk]);
      // ORT would run every chunk's im2col before the first Gemm (all columns alive at once): the
      // start row is made to depend on the previous chunk's result (0 + one element of it compared,
      // cast to int64, times 0: no NaN can leak in), so each chunk starts after the last one is summed.
      const start = acc ? g.add(g.op('Mul', [g.op('Cast', [g.op('Greater', [g.reshape(g.op('Slice', [acc, g.constI([0, 0]), g.constI([1, 1])]), [1]), g.scalar(0)])], { to: 7 }), g.constI([0])]), g.constI([i * chunk])) : g.constI([0]);
      rows = (t) => g.op('Slice', [t, start, end, g.constI([0])]);
    }
    const cols = g.op('Conv', [rows(x), oneHot], { group: ci, kernel_shape: [k, k], pads: [p, p, p, p] });
    const colsT = g.reshape(g.transpose(cols, [1, 0, 2, 3]), [ci * kk, -1]);
    const dzT = g.reshape(g.transpose(rows(dz), [1, 0, 2, 3]), [co, -1]);
    acc = g.op('Gemm', acc ? [dzT, colsT, acc] : [dzT, colsT], { transB: 1 });
  }
  return g.reshape(acc!, [co, ci, k, k]);
}

/** dW as Conv(x^T, dz^T) (batch and channels swapped), the stride as dilation; any stride, any EP. */
function dwTransposed(g: TrainGraph, x: string, dz: string, d: { h: number; w: number; oh: number; ow: number; k: number; s: number; p: number }): string {
  // the padded input's trailing rows the forward never read are cut (or padded) so the result is k x k
  const endH = d.k - d.h - d.p + d.s * (d.oh - 1);
  const endW = d.k - d.w - d.p + d.s * (d.ow - 1);
  let xin = x;
  if (endH < 0 || endW < 0) xin = g.op('Slice', [x, g.constI([0, 0]), g.constI([d.h + Math.min(endH, 0), d.w + Math.min(endW, 0)]), g.constI([2, 3])]);
  const r = g.op('Conv', [g.transpose(xin, [1, 0, 2, 3]), g.transpose(dz, [1, 0, 2, 3])], {
    pads: [d.p, d.p, Math.max(endH, 0), Math.max(endW, 0)],
    dilations: [d.s, d.s],
  });
  return g.transpose(r, [1, 0, 2, 3]);
}

/** Sum over the channel window [c - before, c + after] (zero outside), times `scale`. */
function channelWindowSum(g: TrainGraph, x: string, channels: number, before: number, after: number, scale: number): string {
  if (g.opts.gpuSafe) {
    // a 1x1 conv with a banded matrix (AveragePool over a 5-D view may not exist on every EP)
    const band = new Float32Array(channels * channels);
    for (let co = 0; co < channels; co++)
      for (let ci = Math.max(0, co - before); ci <= Math.min(channels - 1, co + after); ci++) band[co * channels + ci] = scale;
    return g.op('Conv', [x, g.constF(band, [channels, channels, 1, 1])], { kernel_shape: [1, 1] });
  }
  const n = before + after + 1;
  const avg = g.op('AveragePool', [g.op('Unsqueeze', [x, g.constI([1])])], {
    kernel_shape: [n, 1, 1],
    pads: [before, 0, 0, after, 0, 0],
    count_include_pad: 1,
  });
  return g.mul(g.op('Squeeze', [avg, g.constI([1])]), g.scalar(scale * n));
}

/**
 * PyTorch's LocalResponseNorm: b = a / d^beta, d = k + alpha/n * sum_{j in [c - n/2, c + (n-1)/2]} a_j^2.
 * da_i = db_i / d_i^beta - 2 alpha beta / n * a_i * sum_{j: i in window(j)} db_j b_j / d_j.
 */
function lrn(ctx: LayerContext, l: LrnLayer, a: string, shape: number[]): LayerStep {
  const { g } = ctx;
  const c = shape[0];
  const before = Math.floor(l.size / 2);
  const after = Math.floor((l.size - 1) / 2);
  const d = g.add(channelWindowSum(g, g.mul(a, a), c, before, after, l.alpha / l.size), g.scalar(l.k));
  const den = powBeta(g, d, l.beta);
  const b = g.op('Div', [a, den]);
  return {
    out: b,
    shape,
    backward(db) {
      const t = g.op('Div', [g.mul(db, b), d]);
      // the transposed window: i is in window(j) when j is in [i - after, i + before]
      const sum = channelWindowSum(g, t, c, after, before, (2 * l.alpha * l.beta) / l.size);
      return { dx: g.sub(g.op('Div', [db, den]), g.mul(a, sum)), grads: [] };
    },
  };
}

/**
 * d^beta. The LRN's 0.75 as sqrt(d) * sqrt(sqrt(d)) (within 2 ulp of Pow's): ORT's Pow calls the C
 * library's pow per element, 13.1 ms for LRN1 at b16 (16x96x55x55) against 3.5 for the three passes.
 */
function powBeta(g: TrainGraph, d: string, beta: number): string {
  if (beta !== 0.75) return g.op('Pow', [d, g.scalar(beta)]);
  const root = g.op('Sqrt', [d]);
  return g.mul(root, g.op('Sqrt', [root]));
}

function maxPool(ctx: LayerContext, l: MaxPoolLayer, x: string, [c, h, w]: number[], reluBefore = false): LayerStep {
  const { g } = ctx;
  const { size: k, stride: s } = l;
  const oh = Math.floor((h - k) / s) + 1;
  const ow = Math.floor((w - k) / s) + 1;
  const attrs = { kernel_shape: [k, k], strides: [s, s] };
  if (g.opts.poolGrad === 'indices') {
    const [out, idx] = g.opN('MaxPool', [x], attrs, 2);
    return {
      out,
      shape: [c, oh, ow],
      backward(dp) {
        // indices are flat over N*C*H*W: scatter-add the pooled gradient back to the argmax positions
        const flat = g.reshape(x, [-1]);
        const zeros = g.op('ConstantOfShape', [g.op('Shape', [flat])]);
        // after a ReLU: the routed position holds the max, so ReLU'(z) there is (max > 0)
        const routed = reluBefore ? g.wherePositive(out, dp) : dp;
        const sc = g.op('ScatterElements', [zeros, g.reshape(idx, [-1]), g.reshape(routed, [-1])], { axis: 0, reduction: 'add' });
        return { dx: g.reshape(sc, [-1, c, h, w]), grads: [] };
      },
    };
  }
  const out = g.op('MaxPool', [x], attrs);
  return {
    out,
    shape: [c, oh, ow],
    backward(dp) {
      // for each window offset, route dP where the strided slice of the input equals the max; one grouped
      // ConvTranspose with one-hot kernels sums the k*k maps back. Ties happen only at 0 after ReLU, where ReLU' = 0.
      const parts: string[] = [];
      for (let kh = 0; kh < k; kh++)
        for (let kw = 0; kw < k; kw++) {
          const xs = g.op('Slice', [x, g.constI([kh, kw]), g.constI([kh + s * (oh - 1) + 1, kw + s * (ow - 1) + 1]), g.constI([2, 3]), g.constI([s, s])]);
          const hit = g.op('Cast', [g.op('Equal', [xs, out])], { to: 1 });
          parts.push(g.reshape(g.mul(dp, hit), [-1, 1, oh, ow]));
        }
      const kk = k * k;
      const eye = new Float32Array(kk * kk);
      for (let i = 0; i < kk; i++) eye[i * kk + i] = 1;
      const spread = g.op('ConvTranspose', [g.op('Concat', parts, { axis: 1 }), g.constF(eye, [kk, 1, k, k])], {
        strides: [s, s],
        output_padding: [h - (s * (oh - 1) + k), w - (s * (ow - 1) + k)],
      });
      return { dx: g.reshape(spread, [-1, c, h, w]), grads: [] };
    },
  };
}

function adaptiveAvgPool(ctx: LayerContext, size: number, x: string, [c, h, w]: number[]): LayerStep {
  const { g } = ctx;
  if (h === size && w === size) return { out: x, shape: [c, h, w], backward: (d) => ({ dx: d, grads: [] }) };
  if (ctx.nhwc) throw new Error('cached features must already be 6x6');
  const m = adaptivePoolMatrix(h, w, size);
  const mT = new Float32Array(m.length);
  for (let i = 0; i < h * w; i++) for (let j = 0; j < size * size; j++) mT[j * h * w + i] = m[i * size * size + j];
  const M = g.constF(m, [h * w, size * size]);
  const MT = g.constF(mT, [size * size, h * w]);
  const out = g.reshape(g.op('MatMul', [g.reshape(x, [0, c, h * w]), M]), [0, c, size, size]);
  return {
    out,
    shape: [c, size, size],
    backward: (d) => ({ dx: g.reshape(g.op('MatMul', [g.reshape(d, [0, c, size * size]), MT]), [0, c, h, w]), grads: [] }),
  };
}

/** Flatten in H,W,C order (the canonical fc6 rows): NCHW goes through NHWC first. The width is spelled
 * out, not -1, which ORT cannot infer for an empty batch. */
function flatten(ctx: LayerContext, x: string, shape: number[]): LayerStep {
  const { g } = ctx;
  const [c, h, w] = shape;
  const units = c * h * w;
  if (ctx.nhwc) return { out: g.reshape(x, [0, units]), shape: [units], backward: (d) => ({ dx: g.reshape(d, [0, h, w, c]), grads: [] }) };
  return {
    out: g.reshape(g.transpose(x, [0, 2, 3, 1]), [0, units]),
    shape: [units],
    backward: (d) => ({ dx: g.transpose(g.reshape(d, [0, h, w, c]), [0, 3, 1, 2]), grads: [] }),
  };
}

/** Which of a dense layer's products take the weights first (graphBuilder.ts `denseGemm`). */
function denseWeightsFirst(g: TrainGraph, l: DenseLayer): { forward: boolean; dx: boolean } {
  const form = g.opts.denseGemm;
  if (form === 'auto') return { forward: l.inUnits * l.units >= 2 ** 24, dx: g.opts.batchHint <= 32 };
  return { forward: form === 'weightsFirst', dx: form === 'weightsFirst' };
}

function dense(ctx: LayerContext, l: DenseLayer, x: string): LayerStep {
  const { g } = ctx;
  const W = ctx.param(`${l.name}.weight`);
  const bias = ctx.param(`${l.name}.bias`);
  const first = denseWeightsFirst(g, l);
  const out = first.forward
    ? g.transpose(g.op('Gemm', [W, x, g.reshape(bias, [l.units, 1])], { transA: 1, transB: 1 }), [1, 0])
    : g.op('Gemm', [x, W, bias]);
  return {
    out,
    shape: [l.units],
    hasParams: true,
    backward(dz, needDx) {
      return {
        dx: needDx ? (first.dx ? g.transpose(g.op('MatMul', [W, g.transpose(dz, [1, 0])]), [1, 0]) : g.op('Gemm', [dz, W], { transB: 1 })) : undefined,
        grads: [
          { name: `${l.name}.weight`, gemm: { x, dz } },
          { name: `${l.name}.bias`, grad: g.reduceSum(dz, [0]) },
        ],
      };
    },
  };
}
