// The prepared GPU measurement (scripts/gpu-check/run.sh bundles and runs it): for each device,
// its self-test, then full-size AlexNet inference images/s and training-step images/s (one SGD
// step of the trainer's graph: GPU form on GPUs, CPU form on the CPU) on ONNX Runtime, as a table
// against the CPU. Needs only onnxruntime-node beside it (no sharp, no tfjs, no registry).
//   node gpuBench.js [--variant torchvision] [--devices cpu,webgpu,cuda] [--infer 1,16] [--train 16,128] [--runs 3]
import { makeSpec, type VariantName } from '../../src/engine/model/spec';
import { buildOnnxGraph } from '../../src/engine/onnx/graph';
import { encodeModel } from '../../src/engine/onnx/onnxProto';
import { loadOrt } from '../../src/engine/onnx/runtime';
import { ortInfo, probeDevices, sessionOptionsFor, type DeviceId } from '../../src/engine/onnx/devices';
import { runSelfTest } from '../../src/engine/onnx/selfTest';
import { fixedBatch, fixedParams } from '../../src/engine/onnx/selfTestChild';
import { buildTrainStep } from '../../src/engine/onnx/train/step';
import { CPU_GRAPH_OPTIONS, GPU_GRAPH_OPTIONS } from '../../src/engine/onnx/train/graphBuilder';

type Session = { run(f: Record<string, unknown>): Promise<Record<string, unknown>>; release(): Promise<void> };
const ort = loadOrt() as unknown as { InferenceSession: { create(m: Uint8Array, o: Record<string, unknown>): Promise<Session> }; Tensor: new (t: 'float32', d: Float32Array, dims: number[]) => unknown };

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
}
const variant = arg('variant', 'torchvision') as VariantName;
const devices = arg('devices', 'cpu,webgpu,cuda').split(',') as DeviceId[];
const inferBatches = arg('infer', '1,16').split(',').map(Number);
const trainBatches = arg('train', '16,128').split(',').map(Number);
const runs = Number(arg('runs', '3'));
const spec = makeSpec(variant);

async function median(fn: () => Promise<unknown>): Promise<number> {
  await fn(); // warm-up: a GPU compiles its kernels here
  const t: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    t.push(performance.now() - t0);
  }
  return t.sort((a, b) => a - b)[Math.floor(t.length / 2)];
}

async function inference(device: DeviceId, n: number): Promise<number> {
  const built = buildOnnxGraph(spec, fixedParams(spec), {});
  const s = await ort.InferenceSession.create(encodeModel(built.graph), sessionOptionsFor(device));
  const x = new ort.Tensor('float32', fixedBatch(spec, n), [n, spec.inputSize, spec.inputSize, 3]);
  const ms = await median(() => s.run({ [built.inputName]: x }));
  await s.release();
  return (1000 * n) / ms;
}

async function trainStep(device: DeviceId, n: number): Promise<number> {
  const built = buildTrainStep({ spec, frozen: false, optimizer: { kind: 'sgd', weightDecay: 5e-4 }, graph: device === 'cpu' ? CPU_GRAPH_OPTIONS : GPU_GRAPH_OPTIONS });
  const s = await ort.InferenceSession.create(built.bytes, sessionOptionsFor(device));
  const T = (d: Float32Array, dims: number[]) => new ort.Tensor('float32', d, dims);
  const K = spec.numClasses;
  const target = new Float32Array(n * K);
  for (let i = 0; i < n; i++) target[i * K + (i % K)] = 1 / n;
  const feeds: Record<string, unknown> = { x: T(fixedBatch(spec, n), [n, spec.inputSize, spec.inputSize, 3]), target: T(target, [n, K]), lr: T(Float32Array.of(0.01), []), mu: T(Float32Array.of(0.9), []) };
  for (const m of built.masks) feeds[`mask.${m.layer}`] = T(new Float32Array(n * m.units).map((_, i) => (i % 2 ? 0 : 2)), [n, m.units]);
  for (const p of built.params) {
    const w = new Float32Array(p.dims.reduce((a, b) => a * b, 1)).map((_, i) => ((i % 97) - 48) * 1e-3);
    feeds[`w.${p.name}`] = T(w, p.dims);
    feeds[`prev.${p.name}`] = T(w, p.dims);
  }
  const ms = await median(() => s.run(feeds));
  await s.release();
  return (1000 * n) / ms;
}

async function main(): Promise<void> {
  const info = ortInfo();
  console.log(`ONNX Runtime ${info.version}; providers: ${info.backends.map((b) => b.name).join(', ')}; ${variant}; median of ${runs} after a warm-up`);
  const probes = probeDevices(info);
  const rows: string[][] = [];
  const cpuRate = new Map<string, number>();
  for (const device of devices) {
    const probe = probes.find((p) => p.id === device);
    if (!probe?.available) {
      rows.push([device, 'not available', probe?.reason ?? 'unknown device', '', '']);
      continue;
    }
    if (device !== 'cpu') {
      const st = await runSelfTest(device);
      if (!st.ok) {
        rows.push([device, 'self-test failed', st.reason, '', '']);
        continue;
      }
      console.log(`${device}: ${st.reason} (${st.ms} ms)`);
    }
    for (const [what, batches, fn] of [['inference', inferBatches, inference], ['train step', trainBatches, trainStep]] as const) {
      for (const n of batches) {
        try {
          const rate = await fn(device, n);
          if (device === 'cpu') cpuRate.set(`${what}${n}`, rate);
          const base = cpuRate.get(`${what}${n}`);
          rows.push([device, `${what} b${n}`, rate >= 10 ? rate.toFixed(1) : rate.toPrecision(3), base ? (rate / base).toPrecision(3) : '', '']);
        } catch (e) {
          rows.push([device, `${what} b${n}`, 'failed', '', String((e as Error).message).split('\n')[0].slice(0, 120)]);
        }
        console.error(`done: ${device} ${what} b${n}`);
      }
    }
  }
  console.log('\n| device | what | images/s | x cpu | note |\n|---|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.join(' | ')} |`);
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
