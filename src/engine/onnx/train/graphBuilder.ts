// A small builder over onnxProto's types for the hand-written training graphs: every op returns
// the name of its (fresh) output, constants become initializers, and build options that pick
// between equivalent formulations (for ORT's CPU EP or for EPs that lack an op) live here.
import { encodeModel, float, int, ints, type AttrValue, type Dim, type OnnxGraph, type OnnxNode, type OnnxTensor } from '../onnxProto';

/** Choices between equivalent formulations of the same step. */
export interface TrainGraphOptions {
  /**
   * MaxPool's gradient: 'indices' (MaxPool's Indices output + ScatterElements add; CPU EP) or
   * 'mask' (route the gradient where the window's input equals the max; ORT's WebGPU EP has no Indices output).
   */
  poolGrad?: 'indices' | 'mask';
  /**
   * conv dW: 'im2col' (one-hot grouped Conv + Gemm, in batch chunks; fastest on the CPU EP) or
   * 'transpose' (Conv of the batch<->channel transposes, the stride as dilation: any EP; the im2col
   * form is wrong on the WebGPU EP). 'auto' is im2col.
   */
  convDw?: 'im2col' | 'transpose' | 'auto';
  /** No Sum and no LogSoftmax (no WebGPU kernel; they fall back to the CPU silently): Add chains, explicit log-sum-exp. */
  gpuSafe?: boolean;
  /** Dense layers: fold the SGD update into the weight-gradient Gemm's C input (SGD without clipping only). */
  fuseDenseUpdate?: boolean;
  /**
   * ReLU directly followed by MaxPool ('indices'): apply ReLU's derivative to the pooled gradient (the
   * routed position holds the window's max, so ReLU' there is max > 0) instead of the 4x larger input.
   * Only for graphs whose gradient goes through the ReLU (training), not ones that stop at its output.
   */
  fuseReluPool?: boolean;
  /**
   * im2col dW: the most bytes one chunk's columns tensor may take at `batchHint` images (at batch 128
   * conv2's columns alone would be 600 MB); the batch is split into as many chunks as that needs.
   */
  im2colMaxBytes?: number;
  /** the batch size the graph is built for (it runs any batch size; formulations are picked for this one) */
  batchHint?: number;
  /**
   * Convolutions (forward and dX) on ORT's blocked NCHWc kernels with this channel block (MLAS's: 16
   * with AVX-512, 8 with AVX2; nchwc.ts detects it), 0 for plain Conv. ORT only rewrites convs whose
   * weights are constants into NCHWc itself; a training graph's weights are inputs, so it is spelled out.
   */
  nchwcBlock?: number;
  /**
   * Dense layers' forward and input-gradient products: 'direct' (Y = X W + b, dX = dz W^T) or
   * 'weightsFirst' (Y = (W^T X^T + b)^T, dX = (W dz^T)^T): the big W as the first operand, which
   * MLAS streams rather than packing it, then a small Transpose. dX is a MatMul there: ORT folds a
   * Transpose after a Gemm back into the direct Gemm. Measured on the CPU EP, 2 threads, ms: fc6's
   * forward 15.2 vs 17.1 at batch 16, 56.8 vs 63.3 at 128 (fc8's 1000 x 4096 slower: 3.2 vs 1.9);
   * dX 9.1 vs 13.9 at batch 16, 58.5 vs 59.0 at 128. 'auto': the forward weights-first for weights of
   * 2^24 values or more (fc6, fc7), dX weights-first up to batch 32.
   */
  denseGemm?: 'direct' | 'weightsFirst' | 'auto';
}

export const CPU_GRAPH_OPTIONS: Required<TrainGraphOptions> = {
  poolGrad: 'indices', convDw: 'auto', gpuSafe: false, fuseDenseUpdate: true, fuseReluPool: true, im2colMaxBytes: 128 * 2 ** 20, batchHint: 32, nchwcBlock: 0, denseGemm: 'auto',
};
export const GPU_GRAPH_OPTIONS: Required<TrainGraphOptions> = {
  poolGrad: 'mask', convDw: 'transpose', gpuSafe: true, fuseDenseUpdate: true, fuseReluPool: false, im2colMaxBytes: 0, batchHint: 32, nchwcBlock: 0, denseGemm: 'direct',
};

/** ScatterElements' reduction attribute needs opset 16; everything else here is opset 13 or older. */
export const TRAIN_OPSET = 17;

export type Attr = number | number[] | string | { f: number };

export class TrainGraph {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: OnnxTensor[] = [];
  readonly inputs: { name: string; dims: Dim[] }[] = [];
  readonly outputs: { name: string; dims: Dim[] }[] = [];
  private n = 0;
  private readonly scalars = new Map<number, string>();

  constructor(readonly name: string, readonly opts: Required<TrainGraphOptions>) {}

  input(name: string, dims: Dim[]): string {
    this.inputs.push({ name, dims });
    return name;
  }

  /**
   * Makes `value` a graph output called `name`: the producing node's output is renamed (an Identity
   * on a graph output can cost a copy of a 150 MB tensor); an Identity only for inputs and constants.
   */
  output(name: string, value: string, dims: Dim[]): string {
    const producer = this.nodes.find((nd) => nd.outputs.includes(value));
    if (producer && !this.outputs.some((o) => o.name === value)) {
      for (const nd of this.nodes) {
        nd.inputs = nd.inputs.map((i) => (i === value ? name : i));
        nd.outputs = nd.outputs.map((o) => (o === value ? name : o));
      }
    } else {
      this.nodes.push({ op: 'Identity', inputs: [value], outputs: [name] });
    }
    this.outputs.push({ name, dims });
    return name;
  }

  /** A float scalar constant (shared per value). */
  scalar(v: number): string {
    let name = this.scalars.get(v);
    if (!name) {
      name = `s${this.n++}`;
      this.initializers.push({ name, dims: [], data: Float32Array.of(v) });
      this.scalars.set(v, name);
    }
    return name;
  }

  constF(data: Float32Array, dims: number[]): string {
    const name = `c${this.n++}`;
    this.initializers.push({ name, dims, data });
    return name;
  }

  /** An int32 tensor constant (indices: half the bytes of int64). */
  constI32(data: Int32Array, dims: number[]): string {
    const name = `j${this.n++}`;
    this.initializers.push({ name, dims, data });
    return name;
  }

  constI(values: number[]): string {
    const name = `i${this.n++}`;
    this.initializers.push({ name, dims: [values.length], data: { int64: values } });
    return name;
  }

  op(op: string, inputs: string[], attrs: Record<string, Attr> = {}, outputName?: string): string {
    return this.opN(op, inputs, attrs, 1, outputName ? [outputName] : undefined)[0];
  }

  /** An op of another operator set domain (ORT's contrib kernels). */
  opIn(domain: string, op: string, inputs: string[], attrs: Record<string, Attr> = {}): string {
    const out = this.op(op, inputs, attrs);
    this.nodes[this.nodes.length - 1].domain = domain;
    return out;
  }

  opN(op: string, inputs: string[], attrs: Record<string, Attr>, count: number, names?: string[]): string[] {
    const outputs = names ?? Array.from({ length: count }, () => `t${this.n++}_${op}`);
    const a: Record<string, AttrValue> = {};
    for (const [k, v] of Object.entries(attrs)) {
      if (typeof v === 'number') a[k] = int(v);
      else if (typeof v === 'string') a[k] = { kind: 'string', value: v };
      else if (Array.isArray(v)) a[k] = ints(v);
      else a[k] = float(v.f);
    }
    this.nodes.push({ op, inputs, outputs, attrs: a });
    return outputs;
  }

  // --- shorthands -------------------------------------------------------------------------
  mul(a: string, b: string): string {
    return this.op('Mul', [a, b]);
  }
  add(a: string, b: string): string {
    return this.op('Add', [a, b]);
  }
  sub(a: string, b: string): string {
    return this.op('Sub', [a, b]);
  }
  reshape(x: string, shape: number[]): string {
    return this.op('Reshape', [x, this.constI(shape)]);
  }
  transpose(x: string, perm: number[]): string {
    return this.op('Transpose', [x], { perm });
  }
  reduceSum(x: string, axes: number[], keepdims = 0): string {
    return this.op('ReduceSum', [x, this.constI(axes)], { keepdims });
  }
  /** 1 where x > 0, else 0 (ReLU's derivative) */
  positive(x: string): string {
    return this.op('Cast', [this.op('Greater', [x, this.scalar(0)])], { to: 1 });
  }
  /** d where x > 0, else 0: ReLU's backward in one pass over d */
  wherePositive(x: string, d: string): string {
    return this.op('Where', [this.op('Greater', [x, this.scalar(0)]), d, this.scalar(0)]);
  }
  /** The sum of several tensors: one Sum node, or an Add chain where Sum has no kernel. */
  sum(xs: string[]): string {
    if (xs.length === 1) return xs[0];
    if (!this.opts.gpuSafe) return this.op('Sum', xs);
    let acc = xs[0];
    for (let i = 1; i < xs.length; i++) acc = this.add(acc, xs[i]);
    return acc;
  }

  graph(): OnnxGraph {
    return { name: this.name, nodes: this.nodes, initializers: this.initializers, inputs: this.inputs, outputs: this.outputs };
  }

  encode(): Uint8Array {
    return encodeModel(this.graph(), { opset: TRAIN_OPSET, producer: 'alexnet-explorer-train' });
  }
}
