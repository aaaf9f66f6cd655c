// The prepared GPU measurement (scripts/gpu-check/run.sh bundles and runs it): for each device,
// its self-test, then full-size AlexNet inference images/s on ONNX Runtime and training-step
// images/s through `alexnet bench --train --device D --json` (src/cli/benchTrain.ts: the trainer's
// runner on that device, with the engine's CPU fallback), as a table against the CPU. Needs only
// onnxruntime-node beside it (no sharp, no tfjs, no registry).
//   node gpuBench.js [--variant torchvision] [--devices cpu,webgpu,cuda] [--infer 1,16] [--train 16,128] [--runs 3] [--steps 5]
//                    [--train-timeout 150] [--software]   (seconds per training row; measure a software WebGPU adapter too)
//   node gpuBench.js bench --train ...   the CLI's `bench --train`, as `alexnet bench --train ...` (each training row runs it)
import { spawnSync } from 'node:child_process';
import { makeSpec, type VariantName } from '../../src/engine/model/spec';
import { buildOnnxGraph } from '../../src/engine/onnx/graph';
import { encodeModel } from '../../src/engine/onnx/onnxProto';
import { loadOrt } from '../../src/engine/onnx/runtime';
import { ortInfo, probeDevices, sessionOptionsFor, type DeviceId } from '../../src/engine/onnx/devices';
import { runSelfTest } from '../../src/engine/onnx/selfTest';
import { fixedBatch, fixedParams } from '../../src/engine/onnx/selfTestChild';
import { parseArgs } from '../../src/cli/args';
import { reexecWithMallocSettings, runTrainBench, type TrainBenchResult } from '../../src/cli/benchTrain';

type Session = { run(f: Record<string, unknown>): Promise<Record<string, unknown>>; release(): Promise<void> };
const ort = () => loadOrt() as unknown as { InferenceSession: { create(m: Uint8Array, o: Record<string, unknown>): Promise<Session> }; Tensor: new (t: 'float32', d: Float32Array, dims: number[]) => unknown };

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
}
const variant = arg('variant', 'torchvision') as VariantName;
const devices = arg('devices', 'cpu,webgpu,cuda').split(',') as DeviceId[];
const inferBatches = arg('infer', '1,16').split(',').map(Number);
const trainBatches = arg('train', '16,128').split(',').map(Number);
const runs = Number(arg('runs', '3'));
const trainSteps = arg('steps', '5');
/** one training measurement (session, self-test, warm-up and the steps) */
const TRAIN_TIMEOUT_MS = Number(arg('train-timeout', '150')) * 1000;

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

async function inference(device: DeviceId, n: number): Promise<{ rate: number; note: string }> {
  const spec = makeSpec(variant);
  const built = buildOnnxGraph(spec, fixedParams(spec), {});
  const s = await ort().InferenceSession.create(encodeModel(built.graph), sessionOptionsFor(device));
  const x = new (ort().Tensor)('float32', fixedBatch(spec, n), [n, spec.inputSize, spec.inputSize, 3]);
  const ms = await median(() => s.run({ [built.inputName]: x }));
  await s.release();
  return { rate: (1000 * n) / ms, note: '' };
}

/** `bench --train --device D` in its own process (its malloc settings, its peak RSS, a timeout). */
async function trainStep(device: DeviceId, n: number): Promise<{ rate: number; note: string }> {
  const argv = ['bench', '--train', '--variant', variant, '--batch-size', String(n), '--steps', trainSteps, '--device', device, '--json'];
  const r = spawnSync(process.execPath, [process.argv[1], ...argv], { encoding: 'utf8', timeout: TRAIN_TIMEOUT_MS, maxBuffer: 16 * 2 ** 20 });
  if (r.signal) throw new Error(`bench --train timed out after ${TRAIN_TIMEOUT_MS / 1000} s (${r.signal})`);
  const last = r.stdout.trim().split('\n').pop() ?? '';
  if (r.status !== 0 || !last.startsWith('{')) throw new Error(`bench --train exited with ${r.status}: ${(r.stderr.trim().split('\n').pop() ?? '').slice(0, 200)}`);
  const j = JSON.parse(last) as TrainBenchResult;
  // the steps ran where the JSON says: a GPU session that failed fell back to the CPU
  if (j.device !== device) throw new Error(`ran on ${j.device}: ${(j.notUsed ?? []).join('; ').slice(0, 200)}`);
  return { rate: j.imagesPerSecond, note: `${j.msPerStep} ms/step, peak RSS ${j.peakRssMB} MB, session ${j.createMs} ms` };
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
      if (st.software && !process.argv.includes('--software')) {
        // lavapipe, SwiftShader: a CPU emulation, minutes per full-size step (--software measures it anyway)
        rows.push([device, 'software adapter only', st.adapter ?? '', '', 'not measured (--software to measure)']);
        continue;
      }
    }
    for (const [what, batches, fn] of [['inference', inferBatches, inference], ['train step', trainBatches, trainStep]] as const) {
      for (const n of batches) {
        try {
          const { rate, note } = await fn(device, n);
          if (device === 'cpu') cpuRate.set(`${what}${n}`, rate);
          const base = cpuRate.get(`${what}${n}`);
          rows.push([device, `${what} b${n}`, rate >= 10 ? rate.toFixed(1) : rate.toPrecision(3), base ? (rate / base).toPrecision(3) : '', note]);
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

const fail = (e: unknown) => {
  console.error(e);
  process.exit(1);
};
if (process.argv[2] === 'bench') {
  // `alexnet bench --train ...` exactly (src/cli/bench.ts's route), without the CLI's sharp and tfjs
  const argv = process.argv.slice(3);
  const { options } = parseArgs(argv, { flags: ['json', 'train'], values: ['variant', 'batch-size', 'steps', 'device', 'mode', 'optimizer', 'profile', 'conv-dw', 'pool-grad'] });
  if (!options.train) fail(new Error('only bench --train is bundled here'));
  const rerun = reexecWithMallocSettings(['bench', ...argv]);
  if (rerun !== undefined) process.exit(rerun);
  runTrainBench(options).then((code) => process.exit(code), fail);
} else {
  main().then(() => process.exit(0), fail);
}
