// `alexnet bench --train --variant V --batch-size N --steps K [--device D] [--mode M] [--optimizer O] [--json]`:
// the ONNX Runtime training step (forward, backward, update) on random data and weights; the
// median of K steps after one warm-up step. The last stdout line (with --json) is one JSON object.
// Steps whose threads waited for a CPU are noted (schedstat): on a shared machine they measure the others.
import { readdirSync, readFileSync } from 'node:fs';
import { makeSpec, paramShapes, VARIANTS, type VariantName } from '../engine/model/spec';
import { onnxAvailable } from '../engine/onnx/runtime';
import { DEVICE_PREFERENCES, type DeviceId, type DevicePreference } from '../engine/onnx/devices';
import { chooseDevice } from '../engine/onnx/deviceChoice';
import { createRunnerOnDevice, deviceRecordOf } from '../engine/train/trainDevice';
import type { OptimizerKind } from '../engine/onnx/train/optimizer';
import { Rng } from '../engine/train/rng';
import type { HostTensor } from '../engine/weights/hostTensor';
import { intOption, type ParsedArgs } from './args';
import { printJson } from './output';

export interface TrainBenchResult {
  variant: VariantName;
  mode: 'whole' | 'frozen';
  optimizer: OptimizerKind;
  batchSize: number;
  steps: number;
  msPerStep: number;
  imagesPerSecond: number;
  /** every timed step, ms */
  stepMs: number[];
  /** share of thread time spent waiting for a CPU during the timed steps */
  schedWait: number;
  /** where the steps ran */
  device: DeviceId;
  deviceLabel: string;
  /** what --device asked for */
  devicePreference: DevicePreference;
  /** why better devices (or the one asked for) were not used, one line each */
  notUsed?: string[];
  runtime: string;
  peakRssMB: number;
  createMs: number;
  mallocMmapMax: string | null;
}

export { reexecWithMallocSettings } from './mallocReexec';

export async function runTrainBench(options: ParsedArgs['options']): Promise<number> {
  const variant = String(options.variant ?? 'torchvision') as VariantName;
  if (!VARIANTS.includes(variant)) throw new Error(`unknown variant '${variant}' (${VARIANTS.join(', ')})`);
  const batch = intOption(options, 'batch-size', 16);
  const steps = intOption(options, 'steps', 5);
  const preference = String(options.device ?? 'cpu') as DevicePreference;
  if (!DEVICE_PREFERENCES.includes(preference)) throw new Error(`--device ${preference}: one of ${DEVICE_PREFERENCES.join(', ')}`);
  const mode = (options.mode ?? 'whole') as 'whole' | 'frozen';
  if (mode !== 'whole' && mode !== 'frozen') throw new Error(`--mode ${mode}: whole or frozen`);
  const optimizer = (options.optimizer ?? 'sgd') as OptimizerKind;
  if (optimizer !== 'sgd' && optimizer !== 'adam') throw new Error(`--optimizer ${optimizer}: sgd or adam`);
  const ort = onnxAvailable();
  if (!ort.ok) throw new Error(ort.reason);

  const spec = makeSpec(variant);
  const rng = new Rng(1);
  const params: Record<string, HostTensor> = {};
  for (const p of paramShapes(spec)) {
    const n = p.shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    if (p.name.endsWith('.weight')) for (let i = 0; i < n; i++) data[i] = (rng.next() - 0.5) * 0.02;
    params[p.name] = { shape: p.shape, data };
  }
  // a GPU device's self-test first (as the engine does before training on it)
  const chosen = deviceRecordOf(await chooseDevice(preference));
  const t0 = performance.now();
  const { runner, device } = await createRunnerOnDevice(
    {
      // --steps-per-run S: S steps per ORT run (runner.ts), the weights copied out once per run
      stepsPerRun: intOption(options, 'steps-per-run', 1),
      spec, frozen: mode === 'frozen', optimizer: { kind: optimizer, weightDecay: 5e-4, momentum: 0.9 },
      ...(options.profile ? { profile: String(options.profile) } : {}),
      // experiments: another formulation of the same step (graphBuilder.ts TrainGraphOptions)
      graph: {
        batchHint: batch,
        ...(options['conv-dw'] ? { convDw: String(options['conv-dw']) as 'im2col' | 'transpose' } : {}),
        ...(options['pool-grad'] ? { poolGrad: String(options['pool-grad']) as 'indices' | 'mask' } : {}),
        ...(options['dense-gemm'] ? { denseGemm: String(options['dense-gemm']) as 'direct' | 'weightsFirst' | 'auto' } : {}),
        // --nchwc 0: plain Conv kernels (default: the block size nchwc.ts detects)
        ...(options.nchwc !== undefined ? { nchwcBlock: Number(options.nchwc) } : {}),
      },
    },
    params,
    undefined,
    chosen,
    (m) => console.error(m),
  );
  const createMs = performance.now() - t0;
  for (const k of Object.keys(params)) delete params[k]; // the runner holds its own copies
  const S = spec.inputSize;
  const c5 = [...spec.layers].reverse().find((l) => l.kind === 'conv');
  const input = new Float32Array(mode === 'frozen' ? batch * 36 * (c5 && c5.kind === 'conv' ? c5.filters : 256) : batch * S * S * 3);
  for (let i = 0; i < input.length; i++) input[i] = rng.next() - 0.5;
  const labels = Int32Array.from({ length: batch }, () => rng.int(spec.numClasses));
  const masks: Record<string, Float32Array> = {};
  for (const m of runner.masks) masks[m.layer] = Float32Array.from({ length: batch * m.units }, () => (rng.next() < m.rate ? 0 : 2));
  const perRun = runner.stepsPerRun;
  const once = () => runner.steps(Array.from({ length: perRun }, () => ({ input, n: batch, labels, masks, lr: 0.001 })));
  await once(); // warm-up: the first run plans and allocates
  const times: number[] = [];
  const a = schedstat();
  for (let i = 0; i < steps; i++) {
    const s = performance.now();
    await once();
    times.push(performance.now() - s);
  }
  const b = schedstat();
  await runner.dispose();
  const sorted = [...times].sort((x, y) => x - y);
  const ms = sorted[Math.floor(sorted.length / 2)];
  const total = b.runNs - a.runNs + (b.waitNs - a.waitNs);
  const result: TrainBenchResult = {
    variant, mode, optimizer, batchSize: batch, steps,
    msPerStep: round(ms / perRun),
    imagesPerSecond: round((1000 * batch * perRun) / ms),
    stepMs: times.map((t) => round(t)),
    schedWait: total > 0 ? round((b.waitNs - a.waitNs) / total, 3) : 0,
    device: device.id,
    deviceLabel: device.label,
    devicePreference: preference,
    ...(device.notUsed || device.reason ? { notUsed: [...(device.notUsed ?? []), ...(device.reason ? [device.reason] : [])] } : {}),
    runtime: `onnxruntime-node ${ort.version}`,
    peakRssMB: Math.round(vmHwmMb()),
    createMs: Math.round(createMs),
    mallocMmapMax: process.env.MALLOC_MMAP_MAX_ ?? null,
  };
  if (options.json) printJson(result, true);
  else {
    console.log(`${variant} ${mode} ${optimizer}, batch ${batch}, ${result.runtime} (${device.label}): ${result.msPerStep} ms/step, ${result.imagesPerSecond} images/s`);
    for (const n of result.notUsed ?? []) console.log(`  ${n}`);
    console.log(`  steps ${result.stepMs.join(', ')} ms; CPU wait ${(result.schedWait * 100).toFixed(1)}%; peak RSS ${result.peakRssMB} MB; session ${result.createMs} ms`);
  }
  return 0;
}

function schedstat(): { runNs: number; waitNs: number } {
  let runNs = 0;
  let waitNs = 0;
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      const [run, wait] = readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8').split(' ');
      runNs += Number(run);
      waitNs += Number(wait);
    } catch {
      // the thread ended between listing and reading
    }
  }
  return { runNs, waitNs };
}

function vmHwmMb(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

function round(x: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
