// `npm run bench`: AlexNet inference and training throughput, cold start and peak memory, ours
// side by side with PyTorch (CPU, OpenBLAS) and onnxruntime-node on PyTorch's ONNX export, all
// in one run and interleaved, so that load from other jobs hits every runtime alike.
// Prints one markdown table and writes it (with the raw runs) to bench/results.json.
//
// Flags: --quick (fewer runs), --no-tfjs-train-128 (skip tfjs training at batch 128: ~20 s a step), --no-tfjs-train (no tfjs training rows),
//        --no-train, --no-cold, --no-infer,
//        --profile-train (per-kernel profile of one tfjs wasm training step), --variants a,b
//
// Every backend configuration runs in its own process (tfjs backends are process-wide):
// scripts/bench/worker.ts (node + tsx) and scripts/bench/pytorch_peer.py (Debian's /usr/bin/python3).
// A run counts only if its threads waited for a CPU less than 10% of their time
// (/proc/<pid>/task/*/schedstat); figures are medians of the quiet runs.
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import { TRAINING_ENV } from './bench/trainingEnv.mjs';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, homedir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createRequire } from 'node:module';
import { ensureOpenBlas } from './bench/openblas.mjs';

const root = new URL('..', import.meta.url).pathname;
// The tsx children compile strict, as the bundles do (the root tsconfig.json includes no files).
process.env.TSX_TSCONFIG_PATH ??= `${root}tsconfig.tsx.json`;
const require = createRequire(import.meta.url);
const args = process.argv.slice(2);
const flag = (f) => args.includes(f);
const quick = flag('--quick');
const variants = (args.find((a) => a.startsWith('--variants='))?.split('=')[1] ?? 'torchvision,paper').split(',');
const cacheDir = join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'alexnet-explorer-bench');
const PY = '/usr/bin/python3';
const THREADS = 2;
const MAX_WAIT = 0.1;
mkdirSync(cacheDir, { recursive: true });
const log = (...a) => console.error('[bench]', ...a);

// ---------------------------------------------------------------- prerequisites (installed when missing)

function ensureTorch() {
  if (spawnSync(PY, ['-c', 'import torch, torchvision'], { stdio: 'ignore' }).status === 0) return true;
  log('installing PyTorch for the peer: apt-get install -y python3-torch python3-torchvision');
  const r = spawnSync('apt-get', ['install', '-y', 'python3-torch', 'python3-torchvision'], { stdio: 'inherit' });
  return r.status === 0 && spawnSync(PY, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
}

function ensureOrt() {
  try {
    require.resolve('onnxruntime-node');
    return true;
  } catch {
    if (spawnSync('pgrep', ['-x', 'npm']).status === 0) {
      log('onnxruntime-node is missing and another npm is running: skipping the ONNX rows');
      return false;
    }
    log('installing onnxruntime-node: ONNXRUNTIME_NODE_INSTALL=skip npm install --no-save onnxruntime-node@1.30.0');
    const r = spawnSync('npm', ['install', '--no-save', 'onnxruntime-node@1.30.0'], { cwd: root, stdio: 'inherit', env: { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip' } });
    return r.status === 0;
  }
}

function ensureBuild() {
  if (existsSync(join(root, 'dist/cli.js'))) return;
  log('dist/cli.js is missing: npm run build');
  execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
}

// ---------------------------------------------------------------- machine
function machine() {
  const info = readFileSync('/proc/cpuinfo', 'utf8');
  const get = (k) => new RegExp(`^${k}\\s*:\\s*(.*)$`, 'm').exec(info)?.[1];
  const flags = get('flags') ?? '';
  const family = Number(get('cpu family'));
  const m = { cpuModel: get('model name'), cpuFamily: family, cores: cpus().length, avx512: flags.includes('avx512f'), loadavgBefore: readFileSync('/proc/loadavg', 'utf8').trim() };
  // Measured: an AVX-512 FMA loop per core, rated on the CPU time it got (load steals wall time).
  try {
    const bin = join(cacheDir, 'fma');
    if (!existsSync(bin)) execFileSync('gcc', ['-O3', '-mavx512f', '-pthread', join(root, 'scripts/bench/fma.c'), '-o', bin]);
    const best = [0, 1, 2].map(() => JSON.parse(execFileSync(bin, [String(THREADS), '100000000'], { encoding: 'utf8' }))).sort((a, b) => b.cpuTimeGflops - a.cpuTimeGflops)[0];
    m.peakGflops = Math.round(best.cpuTimeGflops);
    m.peakMethod = `measured: ${THREADS} threads of independent AVX-512 FMA chains (scripts/bench/fma.c), FLOPs per thread CPU-second, summed`;
  } catch (e) {
    // AMD family 26 (Zen 5): two 512-bit FMA pipes = 64 fp32 FLOPs/cycle; Zen 4: 32.
    const ghz = Number(get('cpu MHz')) / 1000;
    m.peakGflops = Math.round(ghz * (family >= 26 ? 64 : 32) * m.cores);
    m.peakMethod = `estimated: ${ghz} GHz x ${family >= 26 ? 64 : 32} FLOPs/cycle x ${m.cores} cores (no gcc: ${e.message})`;
  }
  return m;
}

// ---------------------------------------------------------------- workers
class Worker {
  constructor(name, cmd, argv, env = {}) {
    this.name = name;
    this.proc = spawn(cmd, argv, { cwd: root, env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    this.pending = [];
    this.stderr = '';
    this.proc.stderr.on('data', (d) => (this.stderr = (this.stderr + d).slice(-4000)));
    createInterface({ input: this.proc.stdout }).on('line', (line) => {
      if (!line.startsWith('@@BENCH ')) return;
      this.pending.shift()?.resolve(JSON.parse(line.slice(8)));
    });
    this.proc.on('exit', (code) => {
      for (const p of this.pending.splice(0)) p.resolve({ ok: false, error: `${name} exited (${code}): ${this.stderr.split('\n').slice(-3).join(' ')}` });
    });
  }
  ask(req) {
    if (this.proc.exitCode !== null || this.proc.signalCode) return Promise.resolve({ ok: false, error: `${this.name} is not running: ${this.stderr.split('\n').slice(-3).join(' ')}` });
    return new Promise((resolve) => {
      this.pending.push({ resolve });
      this.proc.stdin.write(JSON.stringify(req) + '\n');
    });
  }
  async close() {
    if (this.proc.exitCode === null) await this.ask({ cmd: 'exit' });
  }
}

const nodeWorker = (name, env = {}) => new Worker(name, process.execPath, ['--import', 'tsx', join(root, 'scripts/bench/worker.ts')], env);
let openblasLib;
const pyWorker = (name, env = {}) => new Worker(name, PY, [join(root, 'scripts/bench/pytorch_peer.py'), 'serve'], { LD_LIBRARY_PATH: openblasLib, OMP_NUM_THREADS: String(THREADS), ...env });
// glibc serves every allocation over 32 MB with a fresh mmap, so each PyTorch training step
// page-faults its weight-sized temporaries (fc6's gradient, weight decay's copy) in again; that is
// how PyTorch runs for its users, but it is not PyTorch at its best: a second row keeps them on the heap.
const PY_HEAP_ENV = { MALLOC_MMAP_MAX_: '0', MALLOC_TRIM_THRESHOLD_: String(2 ** 40), MALLOC_TOP_PAD_: String(2 ** 28) };

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

// Interleaved rounds: every config does `per` runs, then the next, `rounds` times; only quiet runs count.
async function measure(configs, req, { rounds, per, minQuiet, maxRounds }) {
  const acc = new Map(configs.map((c) => [c, { all: [], quiet: [], error: undefined }]));
  for (let r = 0; r < maxRounds; r++) {
    const live = configs.filter((c) => !acc.get(c).error);
    if (r >= rounds && live.every((c) => acc.get(c).quiet.length >= minQuiet)) break;
    for (const c of live) {
      const a = acc.get(c);
      if (r >= rounds && a.quiet.length >= minQuiet) continue;
      const res = await c.worker.ask({ ...req, runs: per });
      if (!res.ok) {
        a.error = res.error;
        log(`${c.name}: ${res.error}`);
        continue;
      }
      res.times.forEach((ms, i) => {
        a.all.push({ ms, wait: res.waits[i] });
        if (res.waits[i] <= MAX_WAIT) a.quiet.push(ms);
      });
    }
  }
  return acc;
}

function summarise(a, batch) {
  if (a.error) return { error: a.error };
  const noisy = a.quiet.length === 0;
  const ms = median(noisy ? a.all.map((x) => x.ms) : a.quiet);
  return { msPerBatch: round(ms), imagesPerSec: round((1000 * batch) / ms), runs: a.all.length, quietRuns: a.quiet.length, noisy, waits: a.all.map((x) => round(x.wait * 100) / 100) };
}

const round = (x, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

// ---------------------------------------------------------------- main
const rows = [];
const notes = [];
const specs = {};
const flopsPerImage = {};

async function loadSpecs() {
  const out = execFileSync(process.execPath, ['--import', 'tsx', '-e',
    `const m = require('./src/engine/model/spec.ts'); const r = {}; for (const v of ${JSON.stringify(variants)}) { const s = m.makeSpec(v); r[v] = { spec: s, flops: m.describe(s).reduce((a, b) => a + b.flops, 0) }; } console.log(JSON.stringify(r));`], { cwd: root, encoding: 'utf8' });
  for (const [v, r] of Object.entries(JSON.parse(out.trim().split('\n').pop()))) {
    specs[v] = r.spec;
    flopsPerImage[v] = r.flops;
    const p = join(cacheDir, `${v}.spec.json`);
    writeFileSync(p, JSON.stringify(r.spec));
  }
}

function pyCached(mode, variant, file) {
  const out = join(cacheDir, file);
  if (existsSync(out)) return out;
  log(`PyTorch: ${mode} ${variant} -> ${out}`);
  execFileSync(PY, [join(root, 'scripts/bench/pytorch_peer.py'), mode, join(cacheDir, `${variant}.spec.json`), out], { stdio: 'inherit', env: { ...process.env, LD_LIBRARY_PATH: openblasLib } });
  return out;
}

function tfjsNodeInstalled() {
  try {
    require.resolve('@tensorflow/tfjs-node');
    return true;
  } catch {
    return false;
  }
}

async function inference(variant, haveTorch, haveOrt) {
  const defs = [
    { name: 'tfjs wasm 2 threads', setup: { backend: 'wasm', threads: 2 } },
    { name: 'tfjs wasm 1 thread', setup: { backend: 'wasm', threads: 1 } },
    { name: 'tfjs cpu (pure JS)', setup: { backend: 'cpu', threads: 1 }, batch1Only: true },
  ];
  if (tfjsNodeInstalled()) defs.push({ name: 'tfjs-node', setup: { backend: 'tfjs-node', threads: 2 } });
  else notes.push('tfjs-node / tfjs-node-gpu: not installed here (their libtensorflow download needs the internet), no rows.');
  if (haveOrt) defs.push({ name: 'ours: ONNX on onnxruntime-node 2T', setup: { backend: 'onnx', threads: 2 } });
  if (haveOrt && variant !== 'torchvision' && flag('--lrn-op')) defs.push({ name: 'ours: ONNX (single LRN op)', setup: { backend: 'onnx', threads: 2, lrn: 'op' } });
  if (haveTorch && haveOrt) defs.push({ name: "onnxruntime-node 2T on PyTorch's export", setup: { backend: 'ort-file', threads: 2, onnxFile: pyCached('export-onnx', variant, `${variant}.onnx`) }, peer: true });
  if (haveTorch) defs.push({ name: 'PyTorch 1.13 CPU + OpenBLAS, 2T', py: true, peer: true });

  const configs = [];
  for (const d of defs) {
    const worker = d.py ? pyWorker(d.name) : nodeWorker(d.name);
    const res = await worker.ask(d.py ? { cmd: 'setup', threads: THREADS, spec: specs[variant] } : { cmd: 'setup', variant, ...d.setup });
    if (!res.ok) {
      log(`${d.name}: ${res.error}`);
      rows.push({ section: 'inference', variant, runtime: d.name, error: res.error });
      await worker.close();
      continue;
    }
    log(`${variant}: ${res.label} ready (${Math.round(res.setupMs ?? 0)} ms)`);
    configs.push({ ...d, worker, label: res.label });
  }
  for (const batch of [1, 16]) {
    const cs = configs.filter((c) => batch === 1 || !c.batch1Only);
    const fast = cs.filter((c) => !c.batch1Only);
    const slow = cs.filter((c) => c.batch1Only);
    const acc = await measure(fast, { cmd: 'infer', batch }, quick ? { rounds: 2, per: 2, minQuiet: 3, maxRounds: 3 } : { rounds: 3, per: batch === 1 ? 5 : 3, minQuiet: 5, maxRounds: 6 });
    // pure JS is ~1 GFLOP/s: a few single runs, interleaved with nothing else
    for (const [c, a] of await measure(slow, { cmd: 'infer', batch }, { rounds: quick ? 1 : 2, per: 1, minQuiet: 2, maxRounds: 3 })) acc.set(c, a);
    const peer = cs.find((c) => c.py && !c.tuned);
    const peerRes = peer && summarise(acc.get(peer), batch);
    for (const c of cs) {
      const s = summarise(acc.get(c), batch);
      const gflops = s.imagesPerSec ? round((s.imagesPerSec * flopsPerImage[variant]) / 1e9) : undefined;
      rows.push({ section: 'inference', variant, batch, runtime: c.name, ...s, gflops, ratioToPytorch: peerRes?.imagesPerSec && s.imagesPerSec ? round(s.imagesPerSec / peerRes.imagesPerSec, 2) : undefined });
    }
  }
  for (const c of configs) {
    const m = await c.worker.ask({ cmd: 'mem' });
    for (const r of rows) if (r.section === 'inference' && r.variant === variant && r.runtime === c.name) r.peakMemMb = m.vmHwmMb && Math.round(m.vmHwmMb);
    await c.worker.close();
  }
}

async function training(variant, haveTorch, haveOrt) {
  const defs = flag('--no-tfjs-train') ? [] : [{ name: 'tfjs wasm 2 threads', node: true }];
  // the engine starts itself with the training malloc settings (src/engine/train/mallocEnv.ts): so does its row
  if (haveOrt) defs.push({ name: 'ours: ONNX training step on onnxruntime-node 2T', node: true, ort: true, env: TRAINING_ENV });
  if (haveTorch) defs.push({ name: 'PyTorch 1.13 CPU + OpenBLAS, 2T', py: true }, { name: 'PyTorch, same, big tensors kept on the heap (MALLOC_MMAP_MAX_=0)', py: true, tuned: true });
  const configs = [];
  for (const d of defs) {
    const worker = d.py ? pyWorker(d.name, d.tuned ? PY_HEAP_ENV : {}) : nodeWorker(d.name, d.env);
    const res = await worker.ask(d.py ? { cmd: 'setup', threads: THREADS, spec: specs[variant] } : { cmd: 'setup', variant, backend: d.ort ? 'ort-train' : 'wasm', threads: 2 });
    if (!res.ok) {
      rows.push({ section: 'training', variant, runtime: d.name, error: res.error });
      continue;
    }
    configs.push({ ...d, worker });
  }
  for (const batch of [16, 128]) {
    // tfjs at 128 runs in slices (torchvision 64, paper 32) with summed gradients (train/microBatch.ts: wasm32's heap
    // stops at 4 GB); --no-tfjs-train-128 leaves it out (a step takes ~20 s).
    const tfjs128 = !quick && !flag('--no-tfjs-train-128');
    const cs = batch === 128 && !tfjs128 ? configs.filter((c) => c.py || c.ort) : configs;
    if (batch === 128 && tfjs128) notes.push('tfjs wasm training at batch 128 runs in slices (torchvision 64 images, paper 32) whose gradients are summed (the trainer does the same: a full-network step at 128 does not fit wasm32\'s 4 GB heap).');
    if (!cs.length) continue;
    const acc = await measure(cs, { cmd: 'train', batch }, batch === 16 ? { rounds: 2, per: quick ? 1 : 2, minQuiet: 3, maxRounds: 4 } : { rounds: 1, per: 1, minQuiet: 1, maxRounds: 2 });
    const peer = cs.find((c) => c.py && !c.tuned);
    const peerRes = peer && summarise(acc.get(peer), batch);
    const best = cs.find((c) => c.py && c.tuned);
    const bestRes = best && summarise(acc.get(best), batch);
    for (const c of cs) {
      const s = summarise(acc.get(c), batch);
      if (bestRes?.imagesPerSec && s.imagesPerSec) s.ratioToPytorchBest = round(s.imagesPerSec / bestRes.imagesPerSec, 2);
      // a step is ~3x the forward FLOPs (forward, input gradients, weight gradients)
      const gflops = s.imagesPerSec ? round((3 * s.imagesPerSec * flopsPerImage[variant]) / 1e9) : undefined;
      rows.push({ section: 'training', variant, batch, runtime: c.name, ...s, gflops, ratioToPytorch: peerRes?.imagesPerSec && s.imagesPerSec ? round(s.imagesPerSec / peerRes.imagesPerSec, 2) : undefined });
    }
  }
  for (const c of configs) {
    const m = await c.worker.ask({ cmd: 'mem' });
    for (const r of rows) if (r.section === 'training' && r.variant === variant && r.runtime === c.name) r.peakMemMb = m.vmHwmMb && Math.round(m.vmHwmMb);
    await c.worker.close();
  }
}

// A fresh process from start to the first printed prediction, under GNU time for its max RSS.
function timedProcess(cmd, argv, env = {}) {
  const t0 = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', '@@MAXRSS %M', cmd, ...argv], { cwd: root, encoding: 'utf8', env: { ...process.env, ...env } });
  const ms = performance.now() - t0;
  if (r.status !== 0) return { error: (r.stderr || r.stdout).split('\n').filter(Boolean).slice(-2).join(' ') };
  const rss = /@@MAXRSS (\d+)/.exec(r.stderr);
  return { ms, peakMemMb: rss ? Math.round(Number(rss[1]) / 1024) : undefined };
}

async function coldStart(variant, haveTorch, haveOrt) {
  ensureBuild();
  const image = join(cacheDir, 'cold.jpg');
  const weights = join(cacheDir, `${variant}-random.safetensors`);
  // weights and image made once, by a helper that uses the engine's own writers
  execFileSync(process.execPath, ['--import', 'tsx', join(root, 'scripts/bench/coldFiles.ts'), variant, weights, image], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  const cli = [join(root, 'dist/cli.js'), 'classify', '--weights', weights, '--variant', variant, '--json', image];
  const cfgs = [{ name: 'ours: node dist/cli.js classify, tfjs only (wasm)', run: () => timedProcess(process.execPath, cli, { ALEXNET_INFERENCE: 'tfjs', ALEXNET_ONNX_CACHE_DIR: 'off' }) }];
  if (haveOrt) {
    // The CLI's own path: ONNX Runtime answers the first prediction; its built model is cached on
    // disk (onnx/modelCache.ts). Cold: an empty cache each run (build, write, load). Warm: a second start.
    const onnxCache = join(cacheDir, 'cold-onnx-cache');
    rmSync(onnxCache, { recursive: true, force: true }); // the first warm run fills it for this weights file
    let fresh = 0;
    cfgs.push({
      name: 'ours: node dist/cli.js classify (ORT, model cache empty)',
      run: () => {
        const dir = `${onnxCache}-empty-${fresh++}`;
        try {
          return timedProcess(process.execPath, cli, { ALEXNET_ONNX_CACHE_DIR: dir });
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      },
    });
    cfgs.push({
      name: 'ours: node dist/cli.js classify (ORT, model cache warm)',
      run: () => {
        if (!existsSync(onnxCache)) timedProcess(process.execPath, cli, { ALEXNET_ONNX_CACHE_DIR: onnxCache });
        return timedProcess(process.execPath, cli, { ALEXNET_ONNX_CACHE_DIR: onnxCache });
      },
    });
  }
  if (haveTorch) {
    const pth = pyCached('save-pth', variant, `${variant}-random.pth`);
    cfgs.push({ name: 'PyTorch 1.13 (python, torch.load .pth)', peer: true, run: () => timedProcess(PY, [join(root, 'scripts/bench/pytorch_peer.py'), 'cold', join(cacheDir, `${variant}.spec.json`), pth, image], { LD_LIBRARY_PATH: openblasLib }) });
  }
  const res = new Map(cfgs.map((c) => [c, []]));
  for (let r = 0; r < (quick ? 2 : 3); r++) for (const c of cfgs) res.get(c).push(c.run());
  const peer = cfgs.find((c) => c.peer);
  const sum = (c) => {
    const ok = res.get(c).filter((x) => !x.error);
    if (!ok.length) return { error: res.get(c)[0].error };
    return { msPerBatch: Math.round(median(ok.map((x) => x.ms))), peakMemMb: Math.max(...ok.map((x) => x.peakMemMb ?? 0)), runs: ok.length };
  };
  const peerRes = peer && sum(peer);
  for (const c of cfgs) {
    const s = sum(c);
    // for a time, "x PyTorch" is PyTorch's time over ours (>1: we are faster), like the throughput ratios
    rows.push({ section: 'cold start', variant, batch: 1, runtime: c.name, ...s, ratioToPytorch: peerRes?.msPerBatch && s.msPerBatch ? round(peerRes.msPerBatch / s.msPerBatch, 2) : undefined });
  }
}

async function profileTrain(variant) {
  const w = nodeWorker('profile');
  const res0 = await w.ask({ cmd: 'setup', variant, backend: 'wasm', threads: 2 });
  if (!res0.ok) throw new Error(res0.error);
  const res = await w.ask({ cmd: 'profile-train', batch: 16 });
  await w.close();
  return res;
}

function table() {
  const head = ['section', 'variant', 'batch', 'runtime', 'images/s', 'ms', 'GFLOP/s', '% of peak', 'x PyTorch', 'x PyTorch best', 'peak MB', 'quiet/runs'];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const r of rows) {
    const cells = r.error
      ? [r.section, r.variant, r.batch ?? '', r.runtime, `error: ${r.error.slice(0, 80)}`, '', '', '', '', '', '', '']
      : [r.section, r.variant, r.batch, r.runtime, r.section === 'cold start' ? '' : r.imagesPerSec, r.msPerBatch, r.gflops ?? '', r.fractionOfPeak !== undefined ? `${round(r.fractionOfPeak * 100)}%` : '', r.ratioToPytorch ?? '', r.ratioToPytorchBest ?? '', r.peakMemMb ?? '', r.quietRuns !== undefined ? `${r.quietRuns}/${r.runs}${r.noisy ? ' (noisy)' : ''}` : `${r.runs ?? ''}`];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

const started = new Date();
const m = machine();
log(`CPU: ${m.cpuModel} (family ${m.cpuFamily}), ${m.cores} cores; peak ~${m.peakGflops} GFLOP/s (${m.peakMethod}); load ${m.loadavgBefore}`);
const haveTorch = ensureTorch();
if (haveTorch) openblasLib = ensureOpenBlas(log);
else notes.push('PyTorch could not be installed: no PyTorch rows.');
const haveOrt = ensureOrt();
await loadSpecs();

if (flag('--profile-train')) {
  const p = await profileTrain(variants[0]);
  console.log(`| kernel [output shapes] | calls | ms | share |\n|---|---|---|---|`);
  for (const k of p.kernels.slice(0, 25)) console.log(`| ${k.id} | ${k.count} | ${round(k.ms)} | ${round((100 * k.ms) / p.totalKernelMs)}% |`);
  console.log(`\ntotal kernel time ${round(p.totalKernelMs)} ms (one ${variants[0]} step, batch 16, wasm 2 threads; load ${readFileSync('/proc/loadavg', 'utf8').trim()})`);
  process.exit(0);
}

// partial results survive an interrupted run
const savePartial = () => {
  mkdirSync(join(root, 'bench'), { recursive: true });
  writeFileSync(join(root, 'bench/results.partial.json'), JSON.stringify({ machine: m, rows }, null, 2) + '\n');
};
for (const v of variants) {
  if (!flag('--no-infer')) await inference(v, haveTorch, haveOrt);
  savePartial();
  if (!flag('--no-train')) await training(v, haveTorch, haveOrt);
  savePartial();
  if (!flag('--no-cold')) await coldStart(v, haveTorch, haveOrt);
  savePartial();
}
for (const r of rows) if (r.gflops) r.fractionOfPeak = round(r.gflops / m.peakGflops, 3);

const md = table();
const loadAfter = readFileSync('/proc/loadavg', 'utf8').trim();
console.log(`AlexNet bench, ${started.toISOString()}: ${m.cpuModel} (family ${m.cpuFamily}), ${m.cores} cores, peak ~${m.peakGflops} GFLOP/s fp32 (${m.peakMethod}). ` +
  `Load average before ${m.loadavgBefore}, after ${loadAfter}. Medians of runs whose threads waited < ${MAX_WAIT * 100}% for a CPU ("noisy": none did, median of all). ` +
  `GFLOP/s from spec.ts describe() (training: 3x forward). x PyTorch: our throughput / PyTorch's (cold start: PyTorch's time / ours); x PyTorch best: / PyTorch with MALLOC_MMAP_MAX_=0 (training).\n`);
console.log(md);
for (const n of new Set(notes)) console.log(`\n- ${n}`);
mkdirSync(join(root, 'bench'), { recursive: true });
writeFileSync(join(root, 'bench/results.json'), JSON.stringify({ date: started.toISOString(), machine: { ...m, loadavgAfter: loadAfter }, threads: THREADS, maxWait: MAX_WAIT, notes: [...new Set(notes)], table: md, rows }, null, 2) + '\n');
rmSync(join(root, 'bench/results.partial.json'), { force: true });
log('wrote bench/results.json');
