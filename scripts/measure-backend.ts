// Quick, indicative timing of the engine's backend on full-size torchvision AlexNet
// (paperInit weights, random input): batch inference, and one training step (forward with
// dropout, softmax cross-entropy, gradients of every parameter).
//   node --import tsx scripts/measure-backend.ts [--backend wasm] [--threads 2] [--batch 16] [--reps 3] [--no-train]
// The wasm thread count is fixed per process: run once per setting. Not the benchmark (that is
// scripts/bench*); on a shared machine, quote the load along with the numbers.
import * as os from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { initBackend, type BackendPreference } from '../src/engine/backend/select';
import { forward, paperInit } from '../src/engine/model/alexnet';
import { makeSpec } from '../src/engine/model/spec';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

async function timeIt(label: string, reps: number, fn: () => void): Promise<void> {
  fn(); // warm-up: XNNPACK packs weights, tfjs compiles nothing but allocates
  const wall: number[] = [];
  let cpu = 0;
  for (let i = 0; i < reps; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    fn();
    wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu += (c.user + c.system) / 1000;
  }
  const total = wall.reduce((a, b) => a + b, 0);
  const median = [...wall].sort((a, b) => a - b)[Math.floor(wall.length / 2)];
  console.log(`${label}: median ${median.toFixed(0)} ms (runs ${wall.map((w) => w.toFixed(0)).join(', ')}), CPU time / wall ${(cpu / total).toFixed(2)}`);
}

async function main(): Promise<void> {
  const backend = arg('backend', 'wasm') as BackendPreference;
  const threads = Number(arg('threads', '2'));
  const batch = Number(arg('batch', '16'));
  const reps = Number(arg('reps', '3'));
  const report = await initBackend(backend, { threads });
  console.log(`backend: ${report.label}${report.notes.length ? ` (${report.notes.join('; ')})` : ''}; load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores`);

  const spec = makeSpec('torchvision');
  const params = paperInit(spec);
  const x = tf.randomUniform([batch, spec.inputSize, spec.inputSize, 3], -2, 2, 'float32', 7);
  await timeIt(`inference, batch ${batch}`, reps, () => {
    tf.tidy(() => {
      forward(spec, params, x, { softmax: true }).output.dataSync();
    });
  });

  if (!process.argv.includes('--no-train')) {
    const vars = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, tf.variable(v, true, k)]));
    const labels = tf.oneHot(tf.tensor1d(Array.from({ length: batch }, (_, i) => i % spec.numClasses), 'int32'), spec.numClasses);
    await timeIt(`training step (forward + all gradients), batch ${batch}`, Math.max(1, reps - 1), () => {
      tf.tidy(() => {
        const { grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(labels, forward(spec, vars, x, { training: true }).output) as tf.Scalar);
        for (const g of Object.values(grads)) g.dataSync();
      });
    });
  }
  console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
