// Training kernels for tfjs-backend-wasm 4.22, built from its fast (XNNPACK) kernels:
//  - Conv2DBackpropFilter is missing in wasm: dW is a convolution of the input with the output
//    gradient as the filter, the batch playing the role of input channels, dilated by the stride.
//  - BatchMatMul with a transposed operand runs a scalar loop in wasm: transpose first, then use
//    the untransposed (XNNPACK) path; for A.B^T with a big B (dx = dy.W^T) compute (B.A^T)^T so
//    that only small tensors move. Dense layers' gradients are exactly these products. 2-D
//    products go through a 1x1 Conv2D, because wasm's XNNPACK matmul runs on one thread only.
//  - Conv2DBackpropInput runs a scalar loop in wasm: for stride 1 it is a convolution of the
//    output gradient with the spatially flipped, in/out-transposed filter; strided convs (conv1,
//    whose input needs a gradient only when synthesising images) go through space-to-depth.
//  - MaxPoolGrad in wasm 4.22 is wrong: it starts its max search at numeric_limits<float>::min()
//    (the smallest *positive* float), so a window with no positive value (all zeros after a dead
//    ReLU, or all negative) sends its gradient to element 0 of the whole tensor. Replaced by a
//    plain loop over the windows (cheap next to the convolutions).
// Everything works on TensorInfos at the backend level, so the tape records nothing and every
// intermediate is freed here.
import * as tf from '@tensorflow/tfjs-core';
import { backend_util } from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';

type WasmBackendLike = tf.KernelBackend & { disposeData(dataId: object, force?: boolean): boolean };
type ExplicitPad = [[number, number], [number, number], [number, number], [number, number]];

const MARK = Symbol.for('alexnet-explorer.wasmTrainingKernel');

/** Runs another wasm kernel directly (no tape, no engine bookkeeping). */
function run(backend: WasmBackendLike, kernelName: string, inputs: Record<string, TensorInfo>, attrs: object): TensorInfo {
  const k = tf.getKernel(kernelName, 'wasm');
  if (!k) throw new Error(`wasm kernel ${kernelName} is not registered`);
  return k.kernelFunc({ inputs, backend, attrs: attrs as NamedAttrMap }) as TensorInfo;
}

function free(backend: WasmBackendLike, ...infos: TensorInfo[]): void {
  for (const t of infos) backend.disposeData(t.dataId);
}

function conv2dExplicit(backend: WasmBackendLike, x: TensorInfo, filter: TensorInfo, pad: ExplicitPad, dilations: [number, number]): TensorInfo {
  return run(backend, 'Conv2D', { x, filter }, { strides: [1, 1], pad, dataFormat: 'NHWC', dilations, dimRoundingMode: undefined });
}

interface BackpropFilterAttrs {
  strides: number | [number, number];
  pad: backend_util.ExplicitPadding | 'valid' | 'same' | number;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape: [number, number, number, number];
}

/** dW[kh,kw,ci,co] = sum_{n,oh,ow} xpad[n, oh*s+kh, ow*s+kw, ci] * dy[n,oh,ow,co]. */
const conv2DBackpropFilter: KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as WasmBackendLike;
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as BackpropFilterAttrs;
  if (dataFormat === 'NCHW') throw new Error('wasm Conv2DBackpropFilter supports NHWC only');
  const info = backend_util.computeConv2DInfo(x.shape as [number, number, number, number], filterShape, strides, 1, pad, dimRoundingMode);
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, strideHeight, strideWidth, filterHeight, filterWidth } = info;
  const { top, left } = info.padInfo;
  // Rows/cols of the padded input that a window ever touches; the rest (when the stride does not
  // divide evenly, e.g. torchvision's conv1: 224 + 2*2 - 11 = 217 = 54*4 + 1) is cropped away.
  const spanH = (outHeight - 1) * strideHeight + filterHeight;
  const spanW = (outWidth - 1) * strideWidth + filterWidth;
  const keepH = Math.min(inHeight, spanH - top);
  const keepW = Math.min(inWidth, spanW - left);
  const owned: TensorInfo[] = [];
  try {
    let xs = x;
    if (keepH < inHeight || keepW < inWidth) {
      xs = run(b, 'Slice', { x }, { begin: [0, 0, 0, 0], size: [batchSize, keepH, keepW, inChannels] });
      owned.push(xs);
    }
    // The batch becomes the channel axis, the input channels become the batch.
    const xT = run(b, 'Transpose', { x: xs }, { perm: [3, 1, 2, 0] }); // [C, H, W, N]
    owned.push(xT);
    const dyT = run(b, 'Transpose', { x: dy }, { perm: [1, 2, 0, 3] }); // [OH, OW, N, Co]
    owned.push(dyT);
    const padding: ExplicitPad = [[0, 0], [top, spanH - top - keepH], [left, spanW - left - keepW], [0, 0]];
    const g = conv2dExplicit(b, xT, dyT, padding, [strideHeight, strideWidth]); // [C, KH, KW, Co]
    owned.push(g);
    return run(b, 'Transpose', { x: g }, { perm: [1, 2, 0, 3] }); // [KH, KW, C, Co]
  } finally {
    free(b, ...owned);
  }
};

interface BackpropInputAttrs {
  strides: number | [number, number];
  pad: backend_util.ExplicitPadding | 'valid' | 'same' | number;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  inputShape: [number, number, number, number];
}

/**
 * dx of a stride-1 conv as a "full" convolution: dx[h] = sum_k dy[h + top - k] * W[k], i.e. dy
 * padded by K-1-top, convolved with W flipped in space and with in/out swapped.
 * Undefined when the padding would be negative (a pad beyond the kernel).
 */
function backpropInputStride1(b: WasmBackendLike, dy: TensorInfo, filter: TensorInfo, inHeight: number, inWidth: number, top: number, left: number): TensorInfo | undefined {
  const [, outHeight, outWidth] = dy.shape;
  const [filterHeight, filterWidth] = filter.shape;
  const padTop = filterHeight - 1 - top;
  const padLeft = filterWidth - 1 - left;
  const padBottom = inHeight - outHeight + filterHeight - 1 - padTop;
  const padRight = inWidth - outWidth + filterWidth - 1 - padLeft;
  if (Math.min(padTop, padLeft, padBottom, padRight) < 0) return undefined;
  const owned: TensorInfo[] = [];
  try {
    const flipped = run(b, 'Reverse', { x: filter }, { dims: [0, 1] });
    owned.push(flipped);
    const wT = run(b, 'Transpose', { x: flipped }, { perm: [0, 1, 3, 2] }); // [KH, KW, Co, Ci]
    owned.push(wT);
    return conv2dExplicit(b, dy, wT, [[0, 0], [padTop, padBottom], [padLeft, padRight], [0, 0]], [1, 1]);
  } finally {
    free(b, ...owned);
  }
}

/**
 * dx of a strided conv through space-to-depth: with the kernel zero-padded to Kp = ceil(K/s)*s,
 * a stride-s conv of x equals a stride-1 conv (kernel Kp/s) of x's s x s blocks stacked as
 * channels; so dx is depth-to-space of that conv's stride-1 dx. (AlexNet's conv1; used when the
 * input needs a gradient, e.g. when synthesising images.) Costs (Kp/K)^2 of the direct FLOPs.
 */
function backpropInputStrided(b: WasmBackendLike, dy: TensorInfo, filter: TensorInfo, info: backend_util.Conv2DInfo): TensorInfo {
  const { batchSize: N, inHeight: H, inWidth: W, inChannels: C, outChannels: O, outHeight, outWidth, strideHeight: sH, strideWidth: sW, filterHeight: KH, filterWidth: KW } = info;
  const { top, left } = info.padInfo;
  const qH = Math.ceil(KH / sH);
  const qW = Math.ceil(KW / sW);
  const blocksH = outHeight + qH - 1; // blocks of the padded input that windows touch
  const blocksW = outWidth + qW - 1;
  const owned: TensorInfo[] = [];
  const keep = (t: TensorInfo) => (owned.push(t), t);
  try {
    // Filter [KH,KW,C,O] -> [qH*sH, qW*sW, C, O] -> [qH, sH, qW, sW*C*O] -> [qH, qW, sH, sW*C*O] -> [qH, qW, sH*sW*C, O]
    const fPad = keep(run(b, 'PadV2', { x: filter }, { paddings: [[0, qH * sH - KH], [0, qW * sW - KW], [0, 0], [0, 0]], constantValue: 0 }));
    const f5 = keep(run(b, 'Reshape', { x: fPad }, { shape: [qH, sH, qW, sW * C * O] }));
    const fT = keep(run(b, 'Transpose', { x: f5 }, { perm: [0, 2, 1, 3] }));
    const fS2d = keep(run(b, 'Reshape', { x: fT }, { shape: [qH, qW, sH * sW * C, O] }));
    const dxS2d = backpropInputStride1(b, dy, fS2d, blocksH, blocksW, 0, 0); // [N, blocksH, blocksW, sH*sW*C]
    if (!dxS2d) throw new Error('space-to-depth backprop: unexpected negative padding');
    keep(dxS2d);
    // Depth to space: [N*bH, bW, sH, sW*C] -> [N*bH, sH, bW, sW*C] -> [N, bH*sH, bW*sW, C]
    const d4 = keep(run(b, 'Reshape', { x: dxS2d }, { shape: [N * blocksH, blocksW, sH, sW * C] }));
    const dT = keep(run(b, 'Transpose', { x: d4 }, { perm: [0, 2, 1, 3] }));
    const dxPadded = keep(run(b, 'Reshape', { x: dT }, { shape: [N, blocksH * sH, blocksW * sW, C] }));
    // Back to the unpadded input; rows no window reaches get zeros.
    const rows = Math.min(H, blocksH * sH - top);
    const cols = Math.min(W, blocksW * sW - left);
    const dx = run(b, 'Slice', { x: dxPadded }, { begin: [0, top, left, 0], size: [N, rows, cols, C] });
    if (rows === H && cols === W) return dx;
    keep(dx);
    return run(b, 'PadV2', { x: dx }, { paddings: [[0, 0], [0, H - rows], [0, W - cols], [0, 0]], constantValue: 0 });
  } finally {
    free(b, ...owned);
  }
}

function makeConv2DBackpropInput(original: KernelFunc): KernelFunc {
  return (args) => {
    const b = args.backend as WasmBackendLike;
    const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
    const { strides, pad, dataFormat, dimRoundingMode, inputShape } = args.attrs as unknown as BackpropInputAttrs;
    if (dataFormat === 'NCHW') return original(args);
    const info = backend_util.computeConv2DInfo(inputShape, filter.shape as [number, number, number, number], strides, 1, pad, dimRoundingMode);
    if (info.strideHeight === 1 && info.strideWidth === 1)
      return backpropInputStride1(b, dy, filter, info.inHeight, info.inWidth, info.padInfo.top, info.padInfo.left) ?? original(args);
    return backpropInputStrided(b, dy, filter, info);
  };
}

/** [M,K] x [K,N] as a 1x1 convolution of a [1,M,1,K] image: the same XNNPACK GEMM, but conv2d
 * runs it on the thread pool while wasm's matmul passes no pool (1 thread). */
function gemm2d(b: WasmBackendLike, a: TensorInfo, w: TensorInfo): TensorInfo {
  const [M, K] = a.shape;
  const N = w.shape[1];
  const owned: TensorInfo[] = [];
  try {
    const x4 = run(b, 'Reshape', { x: a }, { shape: [1, M, 1, K] });
    owned.push(x4);
    const w4 = run(b, 'Reshape', { x: w }, { shape: [1, 1, K, N] });
    owned.push(w4);
    const y = run(b, 'Conv2D', { x: x4, filter: w4 }, { strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', dilations: [1, 1], dimRoundingMode: undefined });
    owned.push(y);
    return run(b, 'Reshape', { x: y }, { shape: [M, N] });
  } finally {
    free(b, ...owned);
  }
}

function transposeLast2(b: WasmBackendLike, t: TensorInfo): TensorInfo {
  const perm = t.shape.map((_, i) => i);
  const r = perm.length;
  [perm[r - 2], perm[r - 1]] = [perm[r - 1], perm[r - 2]];
  return run(b, 'Transpose', { x: t }, { perm });
}

/** Batches up to this size run a product with a big B on wasm's single-threaded matmul (see below). */
const SMALL_BATCH = 64;

function makeBatchMatMul(original: KernelFunc): KernelFunc {
  return (args) => {
    const b = args.backend as WasmBackendLike;
    const { a, b: bIn } = args.inputs as { a: TensorInfo; b: TensorInfo };
    const { transposeA, transposeB } = args.attrs as { transposeA: boolean; transposeB: boolean };
    const plain2d = a.shape.length === 2 && bIn.shape.length === 2;
    if (!plain2d && !transposeA && !transposeB) return original(args);
    if (plain2d && !transposeA && !transposeB && a.shape[0] <= SMALL_BATCH && a.shape[0] * bIn.shape[1] < bIn.shape[0] * bIn.shape[1]) {
      // A few rows times a big B (fc6/fc7 forward in training, where B is new every step): the 1x1
      // conv would first transpose B with a slow loop (~480 ms for fc6) before XNNPACK packs it;
      // wasm's own matmul packs it transposed in one go (~150 ms). With a cached B both take ~25 ms.
      return original(args);
    }
    const owned: TensorInfo[] = [];
    try {
      if (plain2d && transposeB && !transposeA) {
        // A[M,K] . B[N,K]^T: transposing B costs N*K (fc6's 37.7M weights for dx = dy . W^T, and
        // XNNPACK then repacks it); (B . A^T)^T moves only M*K + M*N numbers when M is the batch.
        const [M, K] = a.shape;
        const N = bIn.shape[0];
        if (M * K + M * N < N * K) {
          const aT = transposeLast2(b, a);
          owned.push(aT);
          const cT = gemm2d(b, bIn, aT); // [N, M]
          owned.push(cT);
          return transposeLast2(b, cT);
        }
      }
      const aN = transposeA ? transposeLast2(b, a) : a;
      if (transposeA) owned.push(aN);
      const bN = transposeB ? transposeLast2(b, bIn) : bIn;
      if (transposeB) owned.push(bN);
      if (plain2d) return gemm2d(b, aN, bN);
      return original({ ...args, inputs: { a: aN, b: bN }, attrs: { ...args.attrs, transposeA: false, transposeB: false } });
    } finally {
      free(b, ...owned);
    }
  };
}

export type HeapBackend = WasmBackendLike & {
  dataIdMap: { get(dataId: object): { memoryOffset: number } };
  makeOutput(shape: number[], dtype: 'float32'): TensorInfo;
  wasm: { HEAPU8: Uint8Array; wasmMemory?: WebAssembly.Memory };
};

/** A Float32Array over a wasm tensor (current memory: it may have grown since HEAPU8 was made). */
export function heapF32(backend: HeapBackend, t: TensorInfo): Float32Array {
  const buffer = backend.wasm.wasmMemory?.buffer ?? backend.wasm.HEAPU8.buffer;
  return new Float32Array(buffer, backend.dataIdMap.get(t.dataId).memoryOffset, size(t.shape));
}
const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

interface MaxPoolGradAttrs {
  filterSize: number | [number, number];
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/** dx[argmax of each window] += dy[window]; the first maximum wins, as in the cpu backend and TF. */
const maxPoolGrad: KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as HeapBackend;
  const { dy, input } = inputs as { dy: TensorInfo; input: TensorInfo };
  const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as MaxPoolGradAttrs;
  const info = backend_util.computePool2DInfo(input.shape as [number, number, number, number], filterSize, strides, 1, pad, dimRoundingMode);
  const { batchSize, inHeight, inWidth, inChannels: C, outHeight, outWidth, strideHeight, strideWidth, dilationHeight, dilationWidth, effectiveFilterHeight, effectiveFilterWidth } = info;
  const { top, left } = info.padInfo;
  const dx = b.makeOutput(input.shape, 'float32');
  const out = heapF32(b, dx); // views after makeOutput: its malloc may grow the memory
  const x = heapF32(b, input);
  const g = heapF32(b, dy);
  out.fill(0);
  for (let n = 0; n < batchSize; n++) {
    const xBase = n * inHeight * inWidth * C;
    for (let oy = 0; oy < outHeight; oy++) {
      const y0 = oy * strideHeight - top;
      for (let ox = 0; ox < outWidth; ox++) {
        const x0 = ox * strideWidth - left;
        const gBase = ((n * outHeight + oy) * outWidth + ox) * C;
        for (let c = 0; c < C; c++) {
          let best = -Infinity;
          let at = -1;
          for (let ky = 0; ky < effectiveFilterHeight; ky += dilationHeight) {
            const yy = y0 + ky;
            if (yy < 0 || yy >= inHeight) continue;
            for (let kx = 0; kx < effectiveFilterWidth; kx += dilationWidth) {
              const xx = x0 + kx;
              if (xx < 0 || xx >= inWidth) continue;
              const i = xBase + (yy * inWidth + xx) * C + c;
              if (x[i] > best) {
                best = x[i];
                at = i;
              }
            }
          }
          if (at >= 0) out[at] += g[gBase + c];
        }
      }
    }
  }
  return dx;
};

function install(kernelName: string, kernelFunc: KernelFunc, setupFunc?: KernelConfig['setupFunc']): void {
  const marked = Object.assign(kernelFunc, { [MARK]: true });
  if (tf.getKernel(kernelName, 'wasm')) tf.unregisterKernel(kernelName, 'wasm');
  tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc: marked, setupFunc });
}

function isOurs(kernelName: string): boolean {
  const k = tf.getKernel(kernelName, 'wasm');
  return !!k && (k.kernelFunc as unknown as Record<symbol, unknown>)[MARK] === true;
}

/**
 * Registers the training kernels above for the wasm backend (idempotent). Needs
 * @tensorflow/tfjs-backend-wasm loaded; initBackend calls it when wasm is chosen.
 */
export function registerWasmTrainingKernels(): void {
  if (!isOurs('Conv2DBackpropFilter')) install('Conv2DBackpropFilter', conv2DBackpropFilter);
  if (!isOurs('MaxPoolGrad')) install('MaxPoolGrad', maxPoolGrad);
  for (const [name, wrap] of [
    ['Conv2DBackpropInput', makeConv2DBackpropInput],
    ['BatchMatMul', makeBatchMatMul],
  ] as const) {
    if (isOurs(name)) continue;
    const original = tf.getKernel(name, 'wasm');
    if (!original) throw new Error(`wasm kernel ${name} is not registered (load @tensorflow/tfjs-backend-wasm first)`);
    // The original keeps its setupFunc (it binds the C++ function when the backend starts).
    install(name, wrap(original.kernelFunc), original.setupFunc);
  }
}
