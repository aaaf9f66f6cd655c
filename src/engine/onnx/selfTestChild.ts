// The device self-test's child process (dist/deviceSelfTest.js): one forward pass and one training
// step (the trainer's GPU graph form: src/engine/onnx/train) of fixed channel-reduced AlexNets
// (caffe: grouped convolutions + LRN; torchvision: the single tower) on a fixed batch, on the CPU EP
// and on the device; every layer, the loss and every updated parameter compared. A child, because a GPU
// driver can crash or hang a process, and because ORT's verbose log (which says on which EP each
// node was placed) and the Vulkan loader's log go to the native stderr, which only a parent can read.
//   node deviceSelfTest.js <device>   -> one JSON line on stdout (SelfTestChildResult)
import { inspectableLayers, makeSpec, paramShapes, type ModelSpec } from '../model/spec';
import { buildOnnxGraph, type HostParam } from './graph';
import { encodeModel } from './onnxProto';
import { loadOrt } from './runtime';
import { isDevicePreference, sessionOptionsFor, type DeviceId } from './devices';
import { buildTrainStep } from './train/step';
import { GPU_GRAPH_OPTIONS } from './train/graphBuilder';
import { Rng } from '../train/rng';

export interface LayerDiff {
  net: string;
  /** a forward layer, or 'step loss' / 'step new.<param>' for the training step */
  layer: string;
  kind: 'forward' | 'step';
  /** max |device - cpu| */
  maxAbsDiff: number;
  /** max |cpu| (forward), the CPU's change of the parameter or |loss| (step): what the difference is judged against */
  scale: number;
}

export interface SelfTestChildResult {
  ok: boolean;
  error?: string;
  layers: LayerDiff[];
  /** session creation and first run on the device, ms */
  createMs: number;
  runMs: number;
}

// Channel counts divide like AlexNet's own (every group a multiple of 16): ORT 1.30's WebGPU EP
// computes a grouped or split Conv wrong when a group's channels are not a multiple of 4
// (8-12-16-12-8 caffe: conv2 77% off), a shape no AlexNet variant has.
const CHANNELS: [number, number, number, number, number] = [16, 32, 48, 48, 32];
const NETS: { name: string; spec: ModelSpec }[] = [
  { name: 'caffe', spec: makeSpec('caffe', { convChannels: CHANNELS, fcUnits: [24, 20], numClasses: 10 }) },
  { name: 'torchvision', spec: makeSpec('torchvision', { convChannels: CHANNELS, fcUnits: [24, 20], numClasses: 10 }) },
];
const BATCH = 2;

/** A fixed PRNG (train/rng.ts's mulberry32): the same weights and batch on every machine. */
function mulberry32(seed: number): () => number {
  const rng = new Rng(seed);
  return () => rng.next();
}

export function fixedParams(spec: ModelSpec, seed = 12): Record<string, HostParam> {
  const rnd = mulberry32(seed);
  const out: Record<string, HostParam> = {};
  for (const p of paramShapes(spec)) {
    const n = p.shape.reduce((a, b) => a * b, 1);
    const fanIn = p.shape.length === 4 ? p.shape[0] * p.shape[1] * p.shape[2] : p.shape[0];
    const scale = p.shape.length === 1 ? 0.1 : Math.sqrt(6 / fanIn); // He-uniform: every layer stays in its non-linear range
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = (rnd() * 2 - 1) * scale;
    out[p.name] = { shape: p.shape, data };
  }
  return out;
}

export function fixedBatch(spec: ModelSpec, n = BATCH, seed = 34): Float32Array {
  const rnd = mulberry32(seed);
  const x = new Float32Array(n * spec.inputSize * spec.inputSize * 3);
  for (let i = 0; i < x.length; i++) x[i] = rnd() * 2 - 1;
  return x;
}

export async function runSelfTestChild(device: DeviceId): Promise<SelfTestChildResult> {
  const ort = loadOrt() as unknown as {
    InferenceSession: { create(m: Uint8Array, o: Record<string, unknown>): Promise<{ run(f: Record<string, unknown>): Promise<Record<string, { data: Float32Array }>>; release(): Promise<void> }> };
    Tensor: new (t: 'float32', d: Float32Array, dims: number[]) => unknown;
  };
  const layers: LayerDiff[] = [];
  let createMs = 0;
  let runMs = 0;
  for (const { name, spec } of NETS) {
    const collect = inspectableLayers(spec).filter((l) => spec.layers.find((x) => x.name === l)?.kind !== 'softmax');
    const built = buildOnnxGraph(spec, fixedParams(spec), { collect });
    const bytes = encodeModel(built.graph);
    const s = spec.inputSize;
    const feeds = { [built.inputName]: new ort.Tensor('float32', fixedBatch(spec), [BATCH, s, s, 3]) };
    const outputs: Record<string, Float32Array>[] = [];
    for (const d of ['cpu', device] as DeviceId[]) {
      const t0 = performance.now();
      // verbose on the device only: its "Node placements" lines are what the parent reads
      const session = await ort.InferenceSession.create(bytes, sessionOptionsFor(d, d === 'cpu' ? {} : { logSeverityLevel: 0 }));
      const t1 = performance.now();
      const out = await session.run(feeds);
      if (d !== 'cpu') {
        createMs += t1 - t0;
        runMs += performance.now() - t1;
      }
      outputs.push(Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v.data])));
      await session.release();
    }
    const names: [string, string][] = [['probabilities', built.probabilitiesName], ['logits', built.logitsName], ...collect.map((c): [string, string] => [c, built.activationNames.get(c)!])];
    for (const [layer, key] of names) {
      const cpu = outputs[0][key];
      const dev = outputs[1][key];
      let maxAbsDiff = cpu.length === dev.length ? 0 : Infinity;
      let scale = 0;
      for (let i = 0; i < cpu.length && maxAbsDiff !== Infinity; i++) {
        const d = Math.abs(dev[i] - cpu[i]);
        maxAbsDiff = Number.isNaN(d) ? Infinity : Math.max(maxAbsDiff, d);
        scale = Math.max(scale, Math.abs(cpu[i]));
      }
      layers.push({ net: name, layer, kind: 'forward', maxAbsDiff, scale });
    }
    const step = await trainStepDiffs(ort, name, spec, device);
    layers.push(...step.layers);
    createMs += step.createMs;
    runMs += step.runMs;
  }
  return { ok: true, layers, createMs: Math.round(createMs), runMs: Math.round(runMs) };
}

/** One SGD step (momentum 0.9, weight decay 5e-4, dropout masks fixed) of the GPU-safe graph on both EPs. */
export async function trainStepDiffs(
  ort: { InferenceSession: { create(m: Uint8Array, o: Record<string, unknown>): Promise<{ run(f: Record<string, unknown>): Promise<Record<string, { data: Float32Array }>>; release(): Promise<void> }> }; Tensor: new (t: 'float32', d: Float32Array, dims: number[]) => unknown },
  net: string,
  spec: ModelSpec,
  device: DeviceId,
): Promise<{ layers: LayerDiff[]; createMs: number; runMs: number }> {
  const built = buildTrainStep({ spec, frozen: false, optimizer: { kind: 'sgd', weightDecay: 5e-4 }, graph: GPU_GRAPH_OPTIONS });
  const rnd = mulberry32(56);
  const T = (d: Float32Array, dims: number[]) => new ort.Tensor('float32', d, dims);
  const s = spec.inputSize;
  const K = spec.numClasses;
  const feeds: Record<string, unknown> = { x: T(fixedBatch(spec), [BATCH, s, s, 3]), lr: T(Float32Array.of(0.01), []), mu: T(Float32Array.of(0.9), []) };
  const target = new Float32Array(BATCH * K);
  for (let i = 0; i < BATCH; i++) target[i * K + ((i * 3) % K)] = 1 / BATCH;
  feeds.target = T(target, [BATCH, K]);
  for (const m of built.masks) {
    const mask = new Float32Array(BATCH * m.units).map(() => (rnd() < m.rate ? 0 : 1 / (1 - m.rate)));
    feeds[`mask.${m.layer}`] = T(mask, [BATCH, m.units]);
  }
  const weights = new Map<string, Float32Array>();
  for (const p of built.params) {
    const n = p.dims.reduce((a, b) => a * b, 1);
    const fanIn = p.dims.length === 4 ? p.dims[1] * p.dims[2] * p.dims[3] : p.dims.length === 2 ? p.dims[0] : 1;
    const scale = p.dims.length === 1 ? 0.1 : Math.sqrt(6 / fanIn);
    const w = new Float32Array(n).map(() => (rnd() * 2 - 1) * scale);
    weights.set(p.name, w);
    feeds[`w.${p.name}`] = T(w, p.dims);
    feeds[`prev.${p.name}`] = T(w, p.dims); // first step: no momentum yet
  }
  const outs: Record<string, Float32Array>[] = [];
  let createMs = 0;
  let runMs = 0;
  for (const d of ['cpu', device] as DeviceId[]) {
    const t0 = performance.now();
    const session = await ort.InferenceSession.create(built.bytes, sessionOptionsFor(d, d === 'cpu' ? {} : { logSeverityLevel: 0 }));
    const t1 = performance.now();
    const out = await session.run(feeds);
    if (d !== 'cpu') {
      createMs = t1 - t0;
      runMs = performance.now() - t1;
    }
    outs.push(Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v.data])));
    await session.release();
  }
  const [cpu, dev] = outs;
  const layers: LayerDiff[] = [{ net, layer: 'step loss', kind: 'step', maxAbsDiff: Math.abs(dev.loss[0] - cpu.loss[0]), scale: Math.abs(cpu.loss[0]) }];
  for (const p of built.params) {
    const w0 = weights.get(p.name)!;
    const a = cpu[`new.${p.name}`];
    const b = dev[`new.${p.name}`];
    let maxAbsDiff = 0;
    let change = 0;
    for (let i = 0; i < a.length; i++) {
      const e = Math.abs(b[i] - a[i]);
      maxAbsDiff = Number.isNaN(e) ? Infinity : Math.max(maxAbsDiff, e);
      change = Math.max(change, Math.abs(a[i] - w0[i]));
    }
    layers.push({ net, layer: `step new.${p.name}`, kind: 'step', maxAbsDiff, scale: change });
  }
  return { layers, createMs, runMs };
}

// Only as its own program: a bundle that imports these helpers (scripts/gpu-check) is main too.
if (require.main === module && /(selfTestChild|deviceSelfTest)\.[jt]s$/.test(process.argv[1] ?? '')) {
  const device = process.argv[2];
  const done = (r: SelfTestChildResult) => {
    process.stdout.write(`\nSELFTEST ${JSON.stringify(r)}\n`, () => process.exit(0));
  };
  if (!isDevicePreference(device) || device === 'auto') done({ ok: false, error: `unknown device '${device}'`, layers: [], createMs: 0, runMs: 0 });
  else runSelfTestChild(device as DeviceId).then(done, (e: unknown) => done({ ok: false, error: String((e as Error)?.message ?? e).split('\n')[0], layers: [], createMs: 0, runMs: 0 }));
}
