// One backend configuration of `npm run bench`, in its own process (tfjs backends are process-wide).
// Reads JSON requests on stdin, answers '@@BENCH {json}' lines on stdout (anything else on stdout
// is tfjs chatter and is ignored by scripts/bench.mjs).
//   setup {backend: 'wasm'|'cpu'|'tfjs-node'|'onnx'|'ort-file', threads, variant, onnxFile?, lrn?}
//   infer {batch, runs}   train {batch, runs}   profile-train {batch}   mem   exit
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { createInterface } from 'node:readline';
import { forward, paperInit, type Params } from '../../src/engine/model/alexnet';
import { makeSpec, type ModelSpec, type VariantName } from '../../src/engine/model/spec';
import { createOnnxRuntime, loadOrt, type OnnxRuntime, type LrnMode } from '../../src/engine/onnx';
import { timed, vmHwmMb } from './schedstat';
import { slicedVariableGrads, sliceSizeFor } from '../../src/engine/train/microBatch';

interface Setup {
  backend: 'wasm' | 'cpu' | 'tfjs-node' | 'onnx' | 'ort-file' | 'ort-train';
  threads: number;
  variant: VariantName;
  onnxFile?: string;
  lrn?: LrnMode;
}

let spec: ModelSpec;
let params: Params;
let setup: Setup;
let onnx: OnnxRuntime | undefined;
let ortFile: { run(x: Float32Array, n: number): Promise<unknown> } | undefined;
const warm = new Set<string>();
let ortTrain: Awaited<ReturnType<typeof createOrtTrainBench>> | undefined;

// The engine's ONNX Runtime training step (src/engine/onnx/train) on random weights and one fixed batch;
// a runner per batch size (the graph's formulation is picked for it), the previous one released.
async function createOrtTrainBench(s: Setup) {
  const { TrainRunner } = await import('../../src/engine/onnx/train/runner');
  const { paramShapes } = await import('../../src/engine/model/spec');
  const { Rng } = await import('../../src/engine/train/rng');
  const rng = new Rng(1);
  const host: Record<string, { shape: number[]; data: Float32Array }> = {};
  for (const p of paramShapes(spec)) {
    const data = new Float32Array(p.shape.reduce((a, b) => a * b, 1));
    if (p.name.endsWith('.weight')) for (let i = 0; i < data.length; i++) data[i] = (rng.next() - 0.5) * 0.02;
    host[p.name] = { shape: p.shape, data };
  }
  let current: { batch: number; run: () => Promise<unknown>; dispose: () => Promise<void> } | undefined;
  return {
    async step(batch: number): Promise<() => Promise<unknown>> {
      if (current?.batch === batch) return current.run;
      await current?.dispose();
      const runner = await TrainRunner.create({ spec, frozen: false, graph: { batchHint: batch }, optimizer: { kind: 'sgd', weightDecay: 5e-4, momentum: 0.9 }, threads: s.threads }, host);
      const S = spec.inputSize;
      const input = Float32Array.from({ length: batch * S * S * 3 }, () => rng.next() - 0.5);
      const labels = Int32Array.from({ length: batch }, (_, i) => i % spec.numClasses);
      const masks: Record<string, Float32Array> = {};
      for (const m of runner.masks) masks[m.layer] = Float32Array.from({ length: batch * m.units }, () => (rng.next() < m.rate ? 0 : 2));
      current = { batch, run: () => runner.step({ input, n: batch, labels, masks, lr: 0.001 }), dispose: () => runner.dispose() };
      return current.run;
    },
  };
}

function emit(obj: unknown): void {
  process.stdout.write(`@@BENCH ${JSON.stringify(obj)}\n`);
}

async function initTfjs(s: Setup): Promise<string> {
  if (s.backend === 'cpu') {
    await tf.setBackend('cpu');
    return 'tfjs cpu (pure JS)';
  }
  if (s.backend === 'tfjs-node') {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require('@tensorflow/tfjs-node');
    await tf.setBackend('tensorflow');
    return 'tfjs-node';
  }
  // the engine's own backend selection (it also registers the engine's extra wasm kernels)
  const sel = await import('../../src/engine/backend/select');
  const report = await sel.initBackend('wasm', { threads: s.threads });
  return `tfjs wasm ${s.threads}T (${report.label})`;
}

async function handle(req: Record<string, unknown>): Promise<unknown> {
  switch (req.cmd) {
    case 'setup': {
      setup = req as unknown as Setup;
      spec = makeSpec(setup.variant);
      const t0 = performance.now();
      let label: string;
      if (setup.backend === 'ort-train') {
        await tf.setBackend('cpu');
        ortTrain = await createOrtTrainBench(setup);
        label = `ours: ONNX training step on onnxruntime-node ${setup.threads}T`;
      } else if (setup.backend === 'onnx' || setup.backend === 'ort-file') {
        await tf.setBackend('cpu');
        const ort = loadOrt();
        if (setup.backend === 'onnx') {
          const init = tf.tidy(() => paperInit(spec));
          const host: Record<string, { shape: number[]; data: Float32Array }> = {};
          for (const [k, t] of Object.entries(init)) host[k] = { shape: t.shape, data: t.dataSync() as Float32Array };
          tf.dispose(Object.values(init));
          onnx = await createOnnxRuntime(spec, host, { threads: setup.threads, lrn: setup.lrn });
          label = `ours: ONNX graph on onnxruntime-node ${setup.threads}T${setup.lrn ? ` (LRN ${setup.lrn})` : ''}`;
        } else {
          const session = await ort.InferenceSession.create(new Uint8Array(await (await import('node:fs/promises')).readFile(setup.onnxFile!)), {
            executionProviders: ['cpu'],
            graphOptimizationLevel: 'all',
            executionMode: 'sequential',
            interOpNumThreads: 1,
            intraOpNumThreads: setup.threads,
          });
          const s = spec.inputSize;
          ortFile = { run: (x, n) => session.run({ input: new ort.Tensor('float32', x, [n, 3, s, s]) }) };
          label = `onnxruntime-node ${setup.threads}T on PyTorch's ONNX export`;
        }
      } else {
        label = await initTfjs(setup);
        params = tf.tidy(() => paperInit(spec));
      }
      return { ok: true, label, setupMs: performance.now() - t0 };
    }
    case 'infer': {
      const batch = req.batch as number;
      const s = spec.inputSize;
      const x = tf.tidy(() => tf.randomNormal([batch, s, s, 3], 0, 1, 'float32', 1).dataSync() as Float32Array);
      let once: () => Promise<unknown> | unknown;
      if (onnx) once = () => onnx!.run(x, batch);
      else if (ortFile) once = () => ortFile!.run(x, batch);
      else {
        const xt = tf.tensor4d(x, [batch, s, s, 3]);
        once = () => tf.tidy(() => forward(spec, params, xt, { softmax: true }).output.dataSync());
      }
      const key = `infer${batch}`;
      if (!warm.has(key)) {
        await once();
        await once();
        warm.add(key);
      }
      const runs = [];
      for (let i = 0; i < (req.runs as number); i++) runs.push(await timed(once));
      return { ok: true, times: runs.map((r) => r.ms), waits: runs.map((r) => r.wait) };
    }
    case 'train':
    case 'profile-train': {
      const batch = req.batch as number;
      if (ortTrain) {
        const run = await ortTrain.step(batch);
        if (!warm.has(`train${batch}`)) {
          await run();
          warm.add(`train${batch}`);
        }
        const runs = [];
        for (let i = 0; i < (req.runs as number); i++) runs.push(await timed(run));
        return { ok: true, times: runs.map((r) => r.ms), waits: runs.map((r) => r.wait) };
      }
      const step = trainStep(batch);
      // a warm-up step per batch size (as the PyTorch peer does): the first step at a new size
      // grows the wasm heap and page-faults it in (batch 128: ~15 s against ~12 s warm)
      if (!warm.has(`train${batch}`)) {
        step.run();
        warm.add(`train${batch}`);
      }
      if (req.cmd === 'profile-train') {
        const info = await tf.profile(() => step.run());
        const byKernel = new Map<string, { ms: number; count: number }>();
        for (const k of info.kernels) {
          const id = `${k.name} ${JSON.stringify(k.outputShapes)}`;
          const e = byKernel.get(id) ?? { ms: 0, count: 0 };
          e.ms += Number(k.kernelTimeMs) || 0;
          e.count++;
          byKernel.set(id, e);
        }
        step.dispose();
        const total = [...byKernel.values()].reduce((a, b) => a + b.ms, 0);
        return { ok: true, totalKernelMs: total, kernels: [...byKernel.entries()].map(([id, v]) => ({ id, ...v })).sort((a, b) => b.ms - a.ms) };
      }
      const runs = [];
      for (let i = 0; i < (req.runs as number); i++) runs.push(await timed(() => step.run()));
      step.dispose();
      return { ok: true, times: runs.map((r) => r.ms), waits: runs.map((r) => r.wait) };
    }
    case 'mem':
      return { ok: true, vmHwmMb: vmHwmMb() };
    case 'exit':
      return { ok: true };
    default:
      return { ok: false, error: `unknown command ${String(req.cmd)}` };
  }
}

// Variables, momentum buffers and one fixed batch; run() does forward, backward and the SGD update.
let trainVars: Record<string, tf.Variable> | undefined;
let sgd: { apply(v: Record<string, tf.Variable>, g: Record<string, tf.Tensor>, lr: number): void } | undefined;
function trainStep(batch: number): { run(): void; dispose(): void } {
  if (!trainVars) {
    trainVars = {};
    for (const [k, t] of Object.entries(params)) trainVars[k] = tf.variable(t, true, k); // variableGrads keys grads by variable name
  }
  const s = spec.inputSize;
  const x = tf.randomNormal([batch, s, s, 3], 0, 1, 'float32', 2);
  const labels = tf.oneHot(tf.tensor1d(Array.from({ length: batch }, (_, i) => i % spec.numClasses), 'int32'), spec.numClasses);
  const vars = trainVars;
  if (!sgd) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { MomentumSgd } = require('../../src/engine/train/sgd') as typeof import('../../src/engine/train/sgd');
    const m = new MomentumSgd(0.9, 5e-4);
    m.init(vars);
    sgd = m;
  }
  return {
    run() {
      // as the trainer does: on wasm a big batch runs in slices with summed gradients (4 GB heap)
      const { value, grads } = slicedVariableGrads(batch, sliceSizeFor(tf.getBackend(), batch, true, spec), (start, count) =>
        tf.losses.softmaxCrossEntropy(tf.slice(labels, start, count), forward(spec, vars, tf.slice(x, start, count), { training: true }).output) as tf.Scalar);
      sgd!.apply(vars, grads, 0.01);
      value.dataSync();
      // the update is queued on the same backend: reading one updated weight waits for it
      vars['conv1.weight'].dataSync();
      tf.dispose([value, ...Object.values(grads)]);
    },
    dispose() {
      tf.dispose([x, labels]);
    },
  };
}

const rl = createInterface({ input: process.stdin });
let chain = Promise.resolve();
rl.on('line', (line) => {
  chain = chain.then(async () => {
    const req = JSON.parse(line) as Record<string, unknown>;
    try {
      emit(await handle(req));
    } catch (e) {
      emit({ ok: false, error: (e as Error).message.split('\n')[0] });
    }
    if (req.cmd === 'exit') process.exit(0);
  });
});
