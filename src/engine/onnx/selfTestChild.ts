// The device self-test's child process (dist/deviceSelfTest.js): one forward pass of fixed
// channel-reduced AlexNets (caffe: grouped convolutions + LRN; torchvision: the single tower) on
// a fixed batch, on the CPU EP and on the device, every layer compared. A child, because a GPU
// driver can crash or hang a process, and because ORT's verbose log (which says on which EP each
// node was placed) and the Vulkan loader's log go to the native stderr, which only a parent can read.
//   node deviceSelfTest.js <device>   -> one JSON line on stdout (SelfTestChildResult)
import { inspectableLayers, makeSpec, paramShapes, type ModelSpec } from '../model/spec';
import { buildOnnxGraph, type HostParam } from './graph';
import { encodeModel } from './onnxProto';
import { loadOrt } from './runtime';
import { isDevicePreference, sessionOptionsFor, type DeviceId } from './devices';

export interface LayerDiff {
  net: string;
  layer: string;
  /** max |device - cpu| */
  maxAbsDiff: number;
  /** max |cpu|, the scale the difference is judged against */
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

/** A fixed PRNG (mulberry32): the same weights and batch on every machine. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
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
      layers.push({ net: name, layer, maxAbsDiff, scale });
    }
  }
  return { ok: true, layers, createMs: Math.round(createMs), runMs: Math.round(runMs) };
}

if (require.main === module) {
  const device = process.argv[2];
  const done = (r: SelfTestChildResult) => {
    process.stdout.write(`\nSELFTEST ${JSON.stringify(r)}\n`, () => process.exit(0));
  };
  if (!isDevicePreference(device) || device === 'auto') done({ ok: false, error: `unknown device '${device}'`, layers: [], createMs: 0, runMs: 0 });
  else runSelfTestChild(device).then(done, (e: unknown) => done({ ok: false, error: String((e as Error)?.message ?? e).split('\n')[0], layers: [], createMs: 0, runMs: 0 }));
}
