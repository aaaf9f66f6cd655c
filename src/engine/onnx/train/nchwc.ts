// Convolutions on ORT's blocked NCHWc kernels (the `com.microsoft.nchwc` domain that ORT's own
// NCHWc transformer emits for inference graphs with constant weights): activations are reordered to
// channel blocks of B, the filters to OIHWBiBo (or OIHWBo when the input has fewer than B channels,
// as conv1's 3), inside the graph (one gather each), since a training step's weights change every
// step. On this 2-core AVX-512 machine the blocked kernels ran AlexNet's convs ~10-25% faster than MLAS's im2col +
// Gemm Conv, forward and dX alike (torchvision b16 profile, per-node minima).
import { loadOrt } from '../runtime';
import { TrainGraph, CPU_GRAPH_OPTIONS } from './graphBuilder';
import { FlatIndex, gatherFlat } from './flatIndex';

export const NCHWC_DOMAIN = 'com.microsoft.nchwc';

export interface NchwcConvShape {
  inChannels: number;
  outChannels: number;
  groups: number;
}

/** Whether a conv can run blocked: ungrouped, outputs in whole blocks, inputs in whole blocks or fewer than one. */
export function nchwcApplies(block: number, c: NchwcConvShape): boolean {
  return block > 1 && c.groups === 1 && c.outChannels % block === 0 && (c.inChannels % block === 0 || c.inChannels < block);
}

/** The blocked kernels' order of OIHW filters [o, i, k, k] (`src` has those dims; the shape stays OIHW). */
export function blockedFilterIndex(src: FlatIndex, o: number, i: number, k: number, block: number): FlatIndex {
  // OIHWBo: [o/B][i][kh][kw][bo]
  if (i < block) return src.reshape([o / block, block, i, k, k]).transpose([0, 2, 3, 4, 1]).reshape([o, i, k, k]);
  // OIHWBiBo: [o/B][i/B][kh][kw][bi][bo]
  return src.reshape([o / block, block, i / block, block, k, k]).transpose([0, 2, 4, 5, 3, 1]).reshape([o, i, k, k]);
}

/** OIHW weights `w` [o, i, k, k] with their data in the blocked kernels' order, by one gather (flatIndex.ts). */
export function reorderFilter(g: TrainGraph, w: string, o: number, i: number, k: number, block: number): string {
  return gatherFlat(g, w, blockedFilterIndex(FlatIndex.of([o, i, k, k]), o, i, k, block));
}

export interface NchwcConvAttrs {
  kernel: number;
  stride: number;
  pad: number;
  relu?: boolean;
}

/** NCHW in, NCHW out: a Conv (with optional fused ReLU) on the blocked kernels; `w` already reordered. */
export function nchwcConv(g: TrainGraph, x: string, w: string, bias: string | undefined, c: NchwcConvShape, a: NchwcConvAttrs, block: number): string {
  const xb = c.inChannels < block ? x : g.opIn(NCHWC_DOMAIN, 'ReorderInput', [x]);
  const attrs = {
    kernel_shape: [a.kernel, a.kernel],
    strides: [a.stride, a.stride],
    pads: [a.pad, a.pad, a.pad, a.pad],
    ...(a.relu ? { activation: 'Relu' } : {}),
  };
  const y = g.opIn(NCHWC_DOMAIN, 'Conv', bias ? [xb, w, bias] : [xb, w], attrs);
  return g.opIn(NCHWC_DOMAIN, 'ReorderOutput', [y], { channels: c.outChannels });
}

let detected: Promise<number> | undefined;

/**
 * The channel block of this machine's NCHWc kernels, or 0 where they are absent or disagree: a tiny
 * graph runs each candidate blocked conv next to a plain Conv of the same weights, and the first
 * that matches is it (ORT says the block size nowhere a JS caller can read it).
 */
export function detectNchwcBlock(): Promise<number> {
  detected ??= probe().catch(() => 0);
  return detected;
}

async function probe(): Promise<number> {
  const ort = loadOrt();
  for (const block of [16, 8]) {
    const [c, o, k, hw] = [block, 2 * block, 3, 5];
    const g = new TrainGraph('nchwc-probe', CPU_GRAPH_OPTIONS);
    const x = g.input('x', [1, c, hw, hw]);
    const w = g.input('w', [o, c, k, k]);
    const b = g.input('b', [o]);
    g.output('plain', g.op('Conv', [x, w, b], { kernel_shape: [k, k], pads: [1, 1, 1, 1] }), [1, o, hw, hw]);
    g.output('blocked', nchwcConv(g, x, reorderFilter(g, w, o, c, k, block), b, { inChannels: c, outChannels: o, groups: 1 }, { kernel: k, stride: 1, pad: 1 }, block), [1, o, hw, hw]);
    try {
      const session = await ort.InferenceSession.create(g.encode(), { executionProviders: ['cpu'], graphOptimizationLevel: 'all', logSeverityLevel: 3 });
      const fill = (n: number, seed: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 12.9898 + seed) * 0.5);
      const res = await session.run({
        x: new ort.Tensor('float32', fill(c * hw * hw, 1), [1, c, hw, hw]),
        w: new ort.Tensor('float32', fill(o * c * k * k, 2), [o, c, k, k]),
        b: new ort.Tensor('float32', fill(o, 3), [o]),
      });
      await session.release();
      const p = res.plain.data as Float32Array;
      const q = res.blocked.data as Float32Array;
      if (p.length === q.length && p.every((v, i) => Math.abs(v - q[i]) <= 1e-4 * (1 + Math.abs(v)))) return block;
    } catch {
      // a block size MLAS does not use fails its shape checks: try the next
    }
  }
  return 0;
}
