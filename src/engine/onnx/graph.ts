// Builds an ONNX graph of a ModelSpec from the canonical (tfjs-layout) weights.
//
// The tfjs model is NHWC; ONNX convolutions are NCHW. The graph takes the same NHWC batch the
// rest of the engine makes and transposes it once; before Flatten the (small) activation goes back
// to NHWC, so fc6 takes the canonical H,W,C rows as they are: dense weights are used in place
// (views on the weights file), only conv weights are transposed. Requested activations come back
// in the tfjs layout (NHWC, H,W,C flatten) through extra Transpose nodes, so callers see one layout.
import type { ConvLayer, LrnLayer, ModelSpec } from '../model/spec';
import { describe } from '../model/spec';
import { float, int, ints, type OnnxGraph, type OnnxNode, type OnnxTensor } from './onnxProto';

export interface HostParam {
  shape: number[];
  data: Float32Array;
}

/**
 * How LRN is expressed:
 *  'op'      the single ONNX LRN operator;
 *  'avgpool' PyTorch's decomposition (square, 3-D average pool across channels, scale, power, divide);
 *  'conv'    the channel window sum as a 1x1 convolution with a banded 0/1 matrix.
 */
export type LrnMode = 'op' | 'avgpool' | 'conv';

export interface GraphOptions {
  /** layer names whose outputs are extra graph outputs (NHWC / H,W,C flatten, like tfjs's forward) */
  collect?: string[];
  lrn?: LrnMode;
}

export interface BuiltGraph {
  graph: OnnxGraph;
  inputName: string;
  logitsName: string;
  probabilitiesName: string;
  /** layer name -> graph output name holding it in the tfjs layout */
  activationNames: Map<string, string>;
}

export const DEFAULT_LRN_MODE: LrnMode = 'avgpool';

const BATCH = 'batch';

export function buildOnnxGraph(spec: ModelSpec, params: Record<string, HostParam>, opts: GraphOptions = {}): BuiltGraph {
  const lrnMode = opts.lrn ?? DEFAULT_LRN_MODE;
  const collect = new Set(opts.collect ?? []);
  const known = new Set(spec.layers.map((l) => l.name));
  for (const c of collect) if (!known.has(c)) throw new Error(`unknown layer "${c}" (layers: ${[...known].join(', ')})`);

  const nodes: OnnxNode[] = [];
  const initializers: OnnxTensor[] = [];
  const outputs: OnnxGraph['outputs'] = [];
  const activationNames = new Map<string, string>();
  const infos = describe(spec);
  let constCount = 0;
  const scalar = (v: number): string => {
    const name = `const${constCount++}`;
    initializers.push({ name, dims: [], data: Float32Array.of(v) });
    return name;
  };
  const int64s = (v: number[]): string => {
    const name = `const${constCount++}`;
    initializers.push({ name, dims: [v.length], data: { int64: v } });
    return name;
  };
  const param = (name: string): HostParam => {
    const p = params[name];
    if (!p) throw new Error(`missing parameter ${name}`);
    return p;
  };

  const s = spec.inputSize;
  const inputName = 'input';
  nodes.push({ op: 'Transpose', inputs: [inputName], outputs: ['input_nchw'], attrs: { perm: ints([0, 3, 1, 2]) } });
  let x = 'input_nchw';
  // [h, w, c] of x while spatial (tfjs order), undefined once flat
  let hwc: number[] | undefined = [s, s, 3];
  const denseLayers = spec.layers.filter((l) => l.kind === 'dense');
  if (!denseLayers.length) throw new Error('the spec has no dense layer');
  const logitsName = denseLayers[denseLayers.length - 1].name;
  let probabilitiesName = '';

  spec.layers.forEach((layer, li) => {
    const out = layer.name;
    switch (layer.kind) {
      case 'conv':
        convNode(layer, x, out);
        break;
      case 'relu':
        nodes.push({ op: 'Relu', inputs: [x], outputs: [out] });
        break;
      case 'lrn':
        lrnNodes(layer, x, out, hwc![2]);
        break;
      case 'maxpool':
        nodes.push({
          op: 'MaxPool',
          inputs: [x],
          outputs: [out],
          attrs: { kernel_shape: ints([layer.size, layer.size]), strides: ints([layer.stride, layer.stride]) },
        });
        break;
      case 'adaptiveavgpool': {
        const [h, w, c] = hwc!;
        if (h === layer.size && w === layer.size) {
          nodes.push({ op: 'Identity', inputs: [x], outputs: [out] });
        } else {
          // PyTorch's bins as one matrix: [N, C, H*W] x [H*W, S*S]
          const pool = adaptivePoolMatrix(h, w, layer.size);
          const pName = `${out}.matrix`;
          initializers.push({ name: pName, dims: [h * w, layer.size * layer.size], data: pool });
          nodes.push({ op: 'Reshape', inputs: [x, int64s([0, c, h * w])], outputs: [`${out}.flat`] });
          nodes.push({ op: 'MatMul', inputs: [`${out}.flat`, pName], outputs: [`${out}.pooled`] });
          nodes.push({ op: 'Reshape', inputs: [`${out}.pooled`, int64s([0, c, layer.size, layer.size])], outputs: [out] });
        }
        break;
      }
      case 'flatten':
        // flatten in H,W,C order, like tfjs: the 6x6x256 activation is transposed, not fc6's 37M weights
        nodes.push({ op: 'Transpose', inputs: [x], outputs: [`${out}.nhwc4d`], attrs: { perm: ints([0, 2, 3, 1]) } });
        nodes.push({ op: 'Flatten', inputs: [`${out}.nhwc4d`], outputs: [out], attrs: { axis: int(1) } });
        break;
      case 'dropout':
        nodes.push({ op: 'Identity', inputs: [x], outputs: [out] });
        break;
      case 'dense': {
        const w = param(`${layer.name}.weight`);
        initializers.push({ name: `${out}.weight`, dims: w.shape, data: w.data });
        initializers.push({ name: `${out}.bias`, dims: [layer.units], data: param(`${layer.name}.bias`).data });
        nodes.push({ op: 'Gemm', inputs: [x, `${out}.weight`, `${out}.bias`], outputs: [out] });
        break;
      }
      case 'softmax':
        nodes.push({ op: 'Softmax', inputs: [x], outputs: [out], attrs: { axis: int(-1) } });
        probabilitiesName = out;
        break;
    }
    x = out;
    const shape = infos[li].outputShape;
    hwc = shape.length === 3 ? shape : undefined;
    if (collect.has(out)) {
      if (hwc) {
        nodes.push({ op: 'Transpose', inputs: [out], outputs: [`${out}.nhwc`], attrs: { perm: ints([0, 2, 3, 1]) } });
        outputs.push({ name: `${out}.nhwc`, dims: [BATCH, ...hwc] });
        activationNames.set(out, `${out}.nhwc`);
      } else if (out !== logitsName && out !== probabilitiesName) {
        outputs.push({ name: out, dims: [BATCH, ...shape] });
        activationNames.set(out, out);
      }
    }
  });
  if (!probabilitiesName) {
    probabilitiesName = `${logitsName}.softmax`;
    nodes.push({ op: 'Softmax', inputs: [logitsName], outputs: [probabilitiesName], attrs: { axis: int(-1) } });
  }
  outputs.unshift({ name: logitsName, dims: [BATCH, spec.numClasses] }, { name: probabilitiesName, dims: [BATCH, spec.numClasses] });
  for (const name of [logitsName, probabilitiesName]) if (collect.has(name)) activationNames.set(name, name);

  return {
    graph: { name: `alexnet-${spec.variant}`, nodes, initializers, inputs: [{ name: inputName, dims: [BATCH, s, s, 3] }], outputs },
    inputName,
    logitsName,
    probabilitiesName,
    activationNames,
  };

  function convNode(layer: ConvLayer, input: string, out: string): void {
    const w = hwioToOihw(param(`${layer.name}.weight`));
    initializers.push({ name: `${out}.weight`, dims: w.shape, data: w.data });
    initializers.push({ name: `${out}.bias`, dims: [layer.filters], data: param(`${layer.name}.bias`).data });
    const p = layer.pad;
    nodes.push({
      op: 'Conv',
      inputs: [input, `${out}.weight`, `${out}.bias`],
      outputs: [out],
      attrs: {
        kernel_shape: ints([layer.kernel, layer.kernel]),
        strides: ints([layer.stride, layer.stride]),
        pads: ints([p, p, p, p]),
        group: int(layer.groups),
      },
    });
  }

  function lrnNodes(layer: LrnLayer, input: string, out: string, channels: number): void {
    // PyTorch: b = a / (k + alpha/size * sum_{window} a^2)^beta, window [c - size/2, c + (size-1)/2]
    const n = layer.size;
    if (lrnMode === 'op') {
      // ONNX's LRN divides alpha by size too, with the same window
      nodes.push({ op: 'LRN', inputs: [input], outputs: [out], attrs: { size: int(n), alpha: float(layer.alpha), beta: float(layer.beta), bias: float(layer.k) } });
      return;
    }
    const sq = `${out}.sq`;
    nodes.push({ op: 'Mul', inputs: [input, input], outputs: [sq] });
    let scaled: string;
    if (lrnMode === 'avgpool') {
      nodes.push({ op: 'Unsqueeze', inputs: [sq, int64s([1])], outputs: [`${out}.sq5d`] });
      nodes.push({
        op: 'AveragePool',
        inputs: [`${out}.sq5d`],
        outputs: [`${out}.avg5d`],
        attrs: {
          kernel_shape: ints([n, 1, 1]),
          pads: ints([Math.floor(n / 2), 0, 0, Math.floor((n - 1) / 2), 0, 0]),
          count_include_pad: int(1),
        },
      });
      nodes.push({ op: 'Squeeze', inputs: [`${out}.avg5d`, int64s([1])], outputs: [`${out}.avg`] });
      scaled = `${out}.scaled`;
      nodes.push({ op: 'Mul', inputs: [`${out}.avg`, scalar(layer.alpha)], outputs: [scaled] });
    } else {
      // 1x1 conv: output channel c sums input channels in c's window, times alpha/size
      const band = new Float32Array(channels * channels);
      for (let co = 0; co < channels; co++)
        for (let ci = Math.max(0, co - Math.floor(n / 2)); ci <= Math.min(channels - 1, co + Math.floor((n - 1) / 2)); ci++)
          band[co * channels + ci] = layer.alpha / n;
      initializers.push({ name: `${out}.band`, dims: [channels, channels, 1, 1], data: band });
      scaled = `${out}.scaled`;
      nodes.push({ op: 'Conv', inputs: [sq, `${out}.band`], outputs: [scaled], attrs: { kernel_shape: ints([1, 1]) } });
    }
    nodes.push({ op: 'Add', inputs: [scaled, scalar(layer.k)], outputs: [`${out}.base`] });
    nodes.push({ op: 'Pow', inputs: [`${out}.base`, scalar(layer.beta)], outputs: [`${out}.den`] });
    nodes.push({ op: 'Div', inputs: [input, `${out}.den`], outputs: [out] });
  }
}

/** Canonical conv weight [kh, kw, in, out] -> ONNX's [out, in, kh, kw]. */
function hwioToOihw(t: HostParam): HostParam {
  const [h, w, i, o] = t.shape;
  const out = new Float32Array(t.data.length);
  const src = t.data;
  for (let hh = 0; hh < h; hh++)
    for (let ww = 0; ww < w; ww++)
      for (let ii = 0; ii < i; ii++) {
        const from = ((hh * w + ww) * i + ii) * o;
        for (let oo = 0; oo < o; oo++) out[((oo * i + ii) * h + hh) * w + ww] = src[from + oo];
      }
  return { shape: [o, i, h, w], data: out };
}

/** PyTorch's AdaptiveAvgPool2d as a [H*W, S*S] matrix: bin i covers [floor(i*H/S), ceil((i+1)*H/S)). */
export function adaptivePoolMatrix(h: number, w: number, size: number): Float32Array {
  const m = new Float32Array(h * w * size * size);
  for (let i = 0; i < size; i++) {
    const h0 = Math.floor((i * h) / size);
    const h1 = Math.ceil(((i + 1) * h) / size);
    for (let j = 0; j < size; j++) {
      const w0 = Math.floor((j * w) / size);
      const w1 = Math.ceil(((j + 1) * w) / size);
      const v = 1 / ((h1 - h0) * (w1 - w0));
      for (let y = h0; y < h1; y++) for (let xx = w0; xx < w1; xx++) m[(y * w + xx) * size * size + i * size + j] = v;
    }
  }
  return m;
}
