// `alexnet bench`: inference images/s at batch 1 and 16 (median after warm-up) and the time
// to the first prediction from a cold start with weights on disk (a fresh process).
import * as tf from '@tensorflow/tfjs-core';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { Engine, engineOptionsFromEnv } from '../engine/engine';
import { forward, paperInit } from '../engine/model/alexnet';
import { makeSpec } from '../engine/model/spec';
import { saveWeightsFile } from '../engine/weights';
import { parseArgs, intOption } from './args';
import { backendOption, deviceOption, variantOption } from './common';
import { createOnnxRuntime, type HostParam } from '../engine/onnx';
import { table } from './format';
import { runTrainBench } from './benchTrain';
import { reexecWithMallocSettings } from './mallocReexec';
import { printJson } from './output';

export interface BenchRow {
  variant: string;
  backend: string;
  batch: number;
  msPerBatch: number;
  imagesPerSec: number;
}

export async function runBench(argv: string[]): Promise<number> {
  const { options } = parseArgs(argv, {
    flags: ['json', 'no-cold', 'train'],
    values: ['variant', 'backend', 'weights', 'runs', 'threads', 'batch-size', 'steps', 'device', 'mode', 'optimizer', 'profile', 'conv-dw', 'pool-grad', 'nchwc', 'steps-per-run'],
  });
  if (options.train) return reexecWithMallocSettings(['bench', ...argv]) ?? runTrainBench(options);
  const runs = intOption(options, 'runs', 5);
  const variant = variantOption(options);
  const backendPref = backendOption(options);
  const engine = new Engine(engineOptionsFromEnv());
  const backend = await engine.init(backendPref, options.threads ? intOption(options, 'threads', 1) : undefined, deviceOption(options));
  const spec = makeSpec(variant);
  const params = tf.tidy(() => paperInit(spec));
  const rows: BenchRow[] = [];
  const device = await engine.deviceReady();
  if (device.ort.ok) {
    // ONNX Runtime on the chosen device (what classify and feature maps run on)
    const host: Record<string, HostParam> = {};
    for (const [k, t] of Object.entries(params)) host[k] = { shape: t.shape, data: t.dataSync() as Float32Array };
    const rt = await createOnnxRuntime(spec, host, { device: device.chosen, threads: backend.threads });
    for (const batch of [1, 16]) {
      const x = new Float32Array(batch * spec.inputSize * spec.inputSize * 3).map(() => Math.random() * 2 - 1);
      const once = async () => {
        const t0 = performance.now();
        await rt.run(x, batch, { collect: [] });
        return performance.now() - t0;
      };
      await once(); // warm-up (a GPU compiles its shaders here)
      const times: number[] = [];
      for (let i = 0; i < runs; i++) times.push(await once());
      times.sort((a, b) => a - b);
      const ms = times[Math.floor(times.length / 2)];
      rows.push({ variant, backend: `ONNX Runtime ${device.label}`, batch, msPerBatch: round(ms), imagesPerSec: round((1000 * batch) / ms) });
    }
    await rt.dispose();
  }
  for (const batch of [1, 16]) {
    const x = tf.randomNormal([batch, spec.inputSize, spec.inputSize, 3]);
    const once = () => {
      const t0 = performance.now();
      const y = tf.tidy(() => forward(spec, params, x, { softmax: true }).output);
      y.dataSync();
      y.dispose();
      return performance.now() - t0;
    };
    once(); // warm-up
    const times = Array.from({ length: runs }, once).sort((a, b) => a - b);
    const ms = times[Math.floor(times.length / 2)];
    rows.push({ variant, backend: `tfjs ${backend.label}`, batch, msPerBatch: round(ms), imagesPerSec: round((1000 * batch) / ms) });
    x.dispose();
  }

  let cold: { totalMs: number; firstPredictionMs?: number } | undefined;
  if (!options['no-cold']) cold = await coldStart(variant, backendPref, spec, params, options.weights as string | undefined);
  for (const t of Object.values(params)) t.dispose();

  if (options.json) {
    printJson({ backend, device: { chosen: device.chosen, label: device.label, skipped: device.skipped }, rows, cold });
  } else {
    console.log(`variant: ${variant}; median of ${runs} runs after warm-up\n`);
    console.log(table(['runtime', 'batch', 'ms/batch', 'images/s'], rows.map((r) => [r.backend, r.batch, r.msPerBatch, r.imagesPerSec]), [false, true, true, true]));
    if (cold) console.log(`\ntime to first prediction from a cold start (new process, weights on disk): ${cold.totalMs} ms`);
  }
  return 0;
}

/** Starts `alexnet classify` in a new process on a weights file and one image; wall time to its answer. */
async function coldStart(
  variant: string,
  backend: string,
  spec: ReturnType<typeof makeSpec>,
  params: Record<string, tf.Tensor>,
  weights?: string,
): Promise<{ totalMs: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'alexnet-bench-'));
  try {
    if (!weights) {
      weights = join(dir, `${variant}-random.safetensors`);
      const host: Record<string, { shape: number[]; data: Float32Array }> = {};
      for (const [k, t] of Object.entries(params)) host[k] = { shape: t.shape, data: t.dataSync() as Float32Array };
      await saveWeightsFile(weights, spec, host, { provenance: 'alexnet bench: random weights' });
    }
    const image = join(dir, 'image.jpg');
    await sharp({ create: { width: 500, height: 375, channels: 3, background: { r: 120, g: 80, b: 40 } } }).jpeg().toFile(image);
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [...process.execArgv, process.argv[1], 'classify', '--weights', weights, '--variant', variant, '--backend', backend, '--json', image], {
      encoding: 'utf8',
    });
    const totalMs = Math.round(performance.now() - t0);
    if (r.status !== 0) throw new Error(`cold-start classify failed: ${r.stderr || r.stdout}`);
    return { totalMs };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}
