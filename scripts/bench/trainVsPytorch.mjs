// A short interleaved benchmark of one training step (forward, backward, SGD momentum update): ours on
// ONNX Runtime against PyTorch as installed (OpenBLAS) and PyTorch at its best (same + MALLOC_MMAP_MAX_=0),
// each in its own process, one warm-up step per batch size, then `--runs` rounds of one step each,
// interleaved so that load from other jobs hits all alike. Reports per-step schedstat waits (share of
// thread time spent waiting for a CPU): on a shared machine a step with a high wait measures the others.
// `npm run bench` has the same rows; this is the quicker form for one variant/batch list:
//   node scripts/bench/trainVsPytorch.mjs --cases=torchvision:16,torchvision:128,paper:16 [--runs=2] [--out=file.jsonl]
import { spawn, execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ensureOpenBlas } from './openblas.mjs';
import { TRAINING_ENV } from './trainingEnv.mjs';

const root = new URL('../..', import.meta.url).pathname;
const arg = (k, d) => process.argv.find((a) => a.startsWith(`--${k}=`))?.split('=')[1] ?? d;
const cases = arg('cases', 'torchvision:16,torchvision:128').split(',').map((c) => c.split(':')).map(([v, b]) => ({ variant: v, batch: Number(b) }));
const runs = Number(arg('runs', '2'));
const out = arg('out', '');
const log = (...a) => console.error('[train-bench]', ...a);
const SYSTEM_OPENBLAS = '/usr/lib/x86_64-linux-gnu/openblas-openmp';
const lib = existsSync(join(SYSTEM_OPENBLAS, 'libblas.so.3')) ? SYSTEM_OPENBLAS : ensureOpenBlas(log);

class Worker {
  constructor(name, cmd, argv, env) {
    this.name = name;
    this.proc = spawn(cmd, argv, { cwd: root, env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    this.pending = [];
    this.stderr = '';
    this.proc.stderr.on('data', (d) => (this.stderr = (this.stderr + d).slice(-2000)));
    createInterface({ input: this.proc.stdout }).on('line', (l) => l.startsWith('@@BENCH ') && this.pending.shift()?.(JSON.parse(l.slice(8))));
    this.proc.on('exit', (code) => this.pending.splice(0).forEach((r) => r({ ok: false, error: `exited ${code}: ${this.stderr.slice(-300)}` })));
  }
  ask(req) {
    return new Promise((resolve) => {
      this.pending.push(resolve);
      this.proc.stdin.write(JSON.stringify(req) + '\n');
    });
  }
}

const specs = JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', '-e',
  `const m = require('./src/engine/model/spec.ts'); const r = {}; for (const v of ['paper','caffe','torchvision']) r[v] = m.makeSpec(v); console.log(JSON.stringify(r));`], { cwd: root, encoding: 'utf8' }).trim().split('\n').pop());
const PY_HEAP_ENV = { MALLOC_MMAP_MAX_: '0', MALLOC_TRIM_THRESHOLD_: String(2 ** 40), MALLOC_TOP_PAD_: String(2 ** 28) };
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const results = [];
for (const variant of [...new Set(cases.map((c) => c.variant))]) {
  const defs = [
    { name: 'ours: ORT training step', cmd: process.execPath, argv: ['--import', 'tsx', join(root, 'scripts/bench/worker.ts')], env: TRAINING_ENV, setup: { cmd: 'setup', variant, backend: 'ort-train', threads: 2 } },
    { name: 'PyTorch 1.13 + OpenBLAS (as installed)', cmd: '/usr/bin/python3', argv: [join(root, 'scripts/bench/pytorch_peer.py'), 'serve'], env: { LD_LIBRARY_PATH: lib, OMP_NUM_THREADS: '2' }, setup: { cmd: 'setup', threads: 2, spec: specs[variant] } },
    { name: 'PyTorch best (+ MALLOC_MMAP_MAX_=0)', cmd: '/usr/bin/python3', argv: [join(root, 'scripts/bench/pytorch_peer.py'), 'serve'], env: { LD_LIBRARY_PATH: lib, OMP_NUM_THREADS: '2', ...PY_HEAP_ENV }, setup: { cmd: 'setup', threads: 2, spec: specs[variant] } },
  ];
  const ws = [];
  for (const d of defs) {
    const w = new Worker(d.name, d.cmd, d.argv, d.env);
    const r = await w.ask(d.setup);
    if (!r.ok) throw new Error(`${d.name}: ${r.error}`);
    ws.push(w);
  }
  for (const { batch } of cases.filter((c) => c.variant === variant)) {
    const acc = ws.map(() => ({ ms: [], wait: [] }));
    for (let r = 0; r < runs; r++) {
      for (const [i, w] of ws.entries()) {
        const res = await w.ask({ cmd: 'train', batch, runs: 1 }); // the first call per batch also runs a warm-up step
        if (!res.ok) throw new Error(`${w.name}: ${res.error}`);
        acc[i].ms.push(res.times[0]);
        acc[i].wait.push(res.waits[0]);
        log(`${variant} b${batch} ${w.name}: ${res.times[0].toFixed(0)} ms, wait ${(res.waits[0] * 100).toFixed(0)}%`);
      }
    }
    const ips = acc.map((a) => (1000 * batch) / median(a.ms));
    const rows = ws.map((w, i) => ({ variant, batch, runtime: w.name, msPerStep: Math.round(median(acc[i].ms)), imagesPerSec: Math.round(ips[i] * 10) / 10, stepMs: acc[i].ms.map(Math.round), waits: acc[i].wait.map((x) => Math.round(x * 100) / 100), xInstalled: Math.round((ips[i] / ips[1]) * 100) / 100, xBest: Math.round((ips[i] / ips[2]) * 100) / 100 }));
    for (const row of rows) {
      results.push(row);
      if (out) appendFileSync(out, JSON.stringify(row) + '\n');
    }
  }
  for (const [i, w] of ws.entries()) {
    const m = await w.ask({ cmd: 'mem' });
    for (const r of results) if (r.variant === variant && r.runtime === w.name) r.peakRssMbProcess = Math.round(m.vmHwmMb);
    await w.ask({ cmd: 'exit' });
    void i;
  }
}
console.log(`load ${readFileSync('/proc/loadavg', 'utf8').trim()}; the machine is shared: steps with high waits measured other jobs too\n`);
console.log('| variant | batch | runtime | images/s | ms/step (median) | steps ms | CPU wait per step | x PyTorch | x PyTorch best | peak RSS MB (process, all batches so far) |');
console.log('|---|---|---|---|---|---|---|---|---|---|');
for (const r of results) console.log(`| ${r.variant} | ${r.batch} | ${r.runtime} | ${r.imagesPerSec} | ${r.msPerStep} | ${r.stepMs.join(', ')} | ${r.waits.map((w) => `${Math.round(w * 100)}%`).join(', ')} | ${r.xInstalled} | ${r.xBest} | ${r.peakRssMbProcess ?? ''} |`);
if (out) writeFileSync(out.replace(/\.jsonl$/, '') + '.final.json', JSON.stringify(results, null, 2));
