// `npm run bench:tta`: time to reach a validation accuracy on a train/ + val/ folder (default
// ../shared/data/hymenoptera from the project root), our CLI (`node dist/cli.js train`) against PyTorch
// (scripts/bench/pytorch_train_folder.py) with the same recipe: the same initial weights (one
// safetensors file written by our own initialParams, read by both), mode, SGD settings, batch size,
// epochs, augmentation (shorter side to 256, random 224 crop + flip; centre crop for validation)
// and thread count. The two run one after the other, never at the same time.
// Prints markdown tables and writes bench/time-to-accuracy.json (--out to change).
//
// Flags (--name=value or --name value): --data DIR, --variant torchvision|paper|caffe,
//   --mode frozen|finetune|scratch, --weights FILE (starting weights; default: random, He-init convs),
//   --epochs 15, --batch-size 32, --lr 0.0001, --patience 3, --seed 42, --target 0.6,
//   --threads 2, --backend wasm, --only ours|pytorch, --pytorch-first, --no-check, --out FILE,
//   --pytorch-crops random|fixed (frozen mode: PyTorch's training crops; see below)
//
// Frozen mode in our trainer trains on one of 10 fixed crops per image and epoch (centre + 4 corners,
// each also flipped) whose conv features are computed once; the usual PyTorch recipe takes a random
// crop every time and runs the convolutions every step. --pytorch-crops picks which PyTorch does
// (default random: the usual recipe; fixed: ours, for a like-for-like comparison of the engines).
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { ensureOpenBlas } from './openblas.mjs';
import { TRAINING_ENV } from './trainingEnv.mjs';

const root = new URL('../..', import.meta.url).pathname;
// The tsx children compile strict, as the bundles do (the root tsconfig.json includes no files).
process.env.TSX_TSCONFIG_PATH ??= `${root}tsconfig.tsx.json`;
const PY = '/usr/bin/python3';
const log = (...a) => console.error('[tta]', ...a);

// ---------------------------------------------------------------- options
const argv = process.argv.slice(2).filter((a) => a !== '--time-to-accuracy');
function option(name, fallback) {
  const i = argv.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (i < 0) return fallback;
  return argv[i].includes('=') ? argv[i].slice(name.length + 3) : argv[i + 1];
}
const flag = (name) => argv.includes(`--${name}`);
const num = (name, fallback) => {
  const v = Number(option(name, fallback));
  if (!Number.isFinite(v)) throw new Error(`--${name} must be a number`);
  return v;
};
const opts = {
  data: resolve(option('data', join(root, '..', 'shared', 'data', 'hymenoptera'))),
  variant: option('variant', 'torchvision'),
  mode: option('mode', 'frozen'),
  weights: option('weights') ? resolve(option('weights')) : undefined,
  epochs: num('epochs', 15),
  batchSize: num('batch-size', 32),
  // With random (He-init) conv layers pool5 is large: measured on hymenoptera (frozen, no augmentation),
  // lr 0.01 diverged, 0.001 collapsed to one class by epoch 4, 0.0001 reached 61% by epoch 9.
  // With pretrained --weights, 0.001 (our trainer's frozen default) is the usual choice.
  lr: num('lr', 0.0001),
  patience: num('patience', 3),
  seed: num('seed', 42),
  target: num('target', 0.6),
  threads: num('threads', 2),
  backend: option('backend', 'wasm'),
  pytorchCrops: option('pytorch-crops', 'random'),
  pytorchHeap: flag('pytorch-heap'),
  momentum: 0.9,
  weightDecay: 0.0005,
};
const only = option('only');
const order = flag('pytorch-first') ? ['pytorch', 'ours'] : ['ours', 'pytorch'];
const outFile = resolve(root, option('out', 'bench/time-to-accuracy.json'));
const cacheDir = join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'alexnet-explorer-bench', 'tta');
mkdirSync(cacheDir, { recursive: true });

if (!['random', 'fixed'].includes(opts.pytorchCrops)) throw new Error('--pytorch-crops must be random or fixed');
for (const split of ['train', 'val'])
  if (!existsSync(join(opts.data, split))) {
    console.error(`${opts.data} has no ${split}/ folder: --data must point at a folder with train/ and val/ (one subfolder per class in each)`);
    process.exit(2);
  }

// ---------------------------------------------------------------- prerequisites
function ensureBuild() {
  const cli = join(root, 'dist/cli.js');
  if (!existsSync(cli)) {
    log('dist/cli.js is missing: npm run build');
    execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
    return;
  }
  // the CLI is a bundle: a source newer than it means we would time old code
  const built = statSync(cli).mtimeMs;
  const newer = [];
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (p.endsWith('.ts') && statSync(p).mtimeMs > built) newer.push(p.slice(root.length));
    }
  };
  walk(join(root, 'src/engine'));
  if (newer.length) log(`warning: dist/cli.js is older than ${newer.length} engine source(s) (e.g. ${newer[0]}): run npm run build to time the current code`);
}


function haveTorch() {
  if (spawnSync(PY, ['-c', 'import torch, numpy, PIL'], { stdio: 'ignore' }).status === 0) return true;
  log('installing PyTorch: apt-get install -y python3-torch python3-numpy python3-pil');
  spawnSync('apt-get', ['install', '-y', 'python3-torch', 'python3-numpy', 'python3-pil'], { stdio: 'inherit' });
  return spawnSync(PY, ['-c', 'import torch, numpy, PIL'], { stdio: 'ignore' }).status === 0;
}

// ---------------------------------------------------------------- shared starting point
// Our own initialParams (the trainer's code) writes every tensor, fc8 included, to one file; our CLI
// gets it as --weights (it keeps all but fc8, which it re-draws with the same seed: the same numbers)
// and PyTorch reads it. Also writes a seeded input batch and our logits on it for the layout check.
const PREPARE = `
const tf = require('@tensorflow/tfjs-core');
require('@tensorflow/tfjs-backend-cpu');
const { writeFileSync } = require('node:fs');
const { resolveTrainConfig } = require('./src/engine/train/config.ts');
const { trainSpec, initialParams } = require('./src/engine/train/model.ts');
const { scanDataset } = require('./src/engine/train/dataset.ts');
const { forward } = require('./src/engine/model/alexnet.ts');
const { saveWeightsFile } = require('./src/engine/weights/index.ts');
(async () => {
  const a = JSON.parse(process.argv[1]);
  await tf.setBackend('cpu');
  const ds = await scanDataset(a.data, { seed: a.seed });
  const config = resolveTrainConfig({ variant: a.variant, mode: a.mode, seed: a.seed, ...(a.weights ? { weights: { kind: 'file', path: a.weights } } : {}) });
  const spec = trainSpec(config, ds.classNames.length);
  const { params, label } = await initialParams(config, spec);
  const host = {};
  for (const [k, t] of Object.entries(params)) host[k] = { shape: t.shape, data: t.dataSync() };
  await saveWeightsFile(a.init, spec, host, { classNames: ds.classNames, provenance: 'npm run bench:tta: ' + label });
  writeFileSync(a.spec, JSON.stringify(spec));
  const S = spec.inputSize;
  const x = tf.randomNormal([2, S, S, 3], 0, 1, 'float32', 7);
  const logits = forward(spec, params, x).output;
  writeFileSync(a.input, Buffer.from((x.dataSync()).buffer));
  writeFileSync(a.logits, JSON.stringify(Array.from(logits.dataSync())));
  console.log(JSON.stringify({ classNames: ds.classNames, train: ds.train.length, val: ds.val.length, label }));
})().catch((e) => { console.error(e); process.exit(1); });
`;

function prepare() {
  const key = [opts.variant, opts.mode, opts.seed, opts.weights ? opts.weights.replace(/[^A-Za-z0-9]+/g, '_') + '_' + Math.round(statSync(opts.weights).mtimeMs) : 'random'].join('-');
  const files = { init: join(cacheDir, `${key}.init.safetensors`), spec: join(cacheDir, `${key}.spec.json`), input: join(cacheDir, `${key}.input.f32`), logits: join(cacheDir, `${key}.logits.json`), info: join(cacheDir, `${key}.info.json`) };
  // the class list decides fc8's shape, so the dataset is part of the cache key's check
  const info = existsSync(files.info) ? JSON.parse(readFileSync(files.info, 'utf8')) : null;
  if (!info || info.data !== opts.data || !Object.values(files).every((f) => existsSync(f))) {
    log(`writing the starting weights (${opts.variant}, ${opts.mode}, seed ${opts.seed}${opts.weights ? `, from ${opts.weights}` : ', random'}) -> ${files.init}`);
    const out = execFileSync(process.execPath, ['--import', 'tsx', '-e', PREPARE, JSON.stringify({ ...opts, ...files })], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 26 });
    writeFileSync(files.info, JSON.stringify({ data: opts.data, ...JSON.parse(out.trim().split('\n').pop()) }));
  }
  return { ...files, info: JSON.parse(readFileSync(files.info, 'utf8')) };
}

/** Same file, same input: PyTorch's logits must match ours, or the layouts were read wrong. */
function checkLayout(files, env) {
  const py = spawnSync(PY, [join(root, 'scripts/bench/pytorch_train_folder.py'), 'logits', '--spec', files.spec, '--weights', files.init, '--input', files.input, '--batch', '2'], { encoding: 'utf8', env, maxBuffer: 1 << 24 });
  if (py.status !== 0) throw new Error(`PyTorch logits check failed: ${py.stderr}`);
  const theirs = JSON.parse(py.stdout).flat();
  const ours = JSON.parse(readFileSync(files.logits, 'utf8'));
  const scale = Math.max(...ours.map(Math.abs), 1e-6);
  const maxDiff = Math.max(...ours.map((v, i) => Math.abs(v - theirs[i])));
  return { maxAbsDiff: maxDiff, maxAbsLogit: scale, ok: theirs.length === ours.length && maxDiff <= 1e-3 * scale };
}

// ---------------------------------------------------------------- running one side
/** Thread run/wait time of a process, sampled (threads come and go; each keeps its last reading). */
function sampleProc(pid, threads, peak) {
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        const [run, wait] = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ').map(Number);
        threads.set(tid, { run, wait });
      } catch {
        // thread ended between listing and reading
      }
    }
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    if (m) peak.kb = Math.max(peak.kb, Number(m[1]));
  } catch {
    // process gone
  }
}

let interrupted = false;
const pinned = (cmd) => (cpus().length > opts.threads && spawnSync('taskset', ['-V'], { stdio: 'ignore' }).status === 0 ? ['taskset', ['-c', `0-${opts.threads - 1}`, ...cmd]] : [cmd[0], cmd.slice(1)]);

/** Runs a command, feeding each stdout line to onLine(line, nowMs, startMs); returns timing facts. */
function runMonitored(cmd, env, onLine) {
  return new Promise((resolvePromise) => {
    const [file, args] = pinned(cmd);
    const t0 = Date.now();
    const child = spawn(file, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const threads = new Map();
    const peak = { kb: 0 };
    const timer = setInterval(() => sampleProc(child.pid, threads, peak), 1000);
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr = (stderr + d).slice(-6000);
      if (process.env.TTA_VERBOSE) process.stderr.write(d);
    });
    createInterface({ input: child.stdout }).on('line', (line) => onLine(line, Date.now(), t0));
    // Ctrl-C: the child stops (ours after its current step) and no further run starts
    const stop = () => {
      interrupted = true;
      child.kill('SIGINT');
    };
    process.once('SIGINT', stop);
    child.on('exit', (code, signal) => {
      clearInterval(timer);
      process.off('SIGINT', stop);
      let run = 0;
      let wait = 0;
      for (const t of threads.values()) {
        run += t.run;
        wait += t.wait;
      }
      resolvePromise({ t0, code, signal, totalS: (Date.now() - t0) / 1000, cpuWaitShare: run + wait > 0 ? wait / (run + wait) : null, cpuS: run / 1e9, peakMemMb: peak.kb ? Math.round(peak.kb / 1024) : null, stderrTail: stderr.split('\n').filter(Boolean).slice(-4).join('\n') });
    });
  });
}

const recipeArgs = () => ['--epochs', String(opts.epochs), '--batch-size', String(opts.batchSize), '--lr', String(opts.lr), '--patience', String(opts.patience), '--seed', String(opts.seed)];

async function runOurs(files) {
  const runsRoot = mkdtempSync(join(tmpdir(), 'tta-runs-'));
  const epochs = [];
  let readyMs = null;
  let runDir;
  const cmd = [process.execPath, join(root, 'dist/cli.js'), 'train', opts.data, '--variant', opts.variant, '--mode', opts.mode, '--weights', files.init, ...recipeArgs(), '--no-pca', '--runs', runsRoot, '--backend', opts.backend, '--json'];
  log(`ours: ${cmd.slice(1).join(' ')}`);
  // the training malloc settings the CLI would re-run itself with (src/engine/train/mallocEnv.ts), given
  // here so that the process measured (CPU time, peak memory) is the trainer, not a waiting wrapper
  const res = await runMonitored(cmd, { ...process.env, ...TRAINING_ENV }, (line, now, t0) => {
    let e;
    try {
      e = JSON.parse(line);
    } catch {
      return;
    }
    if (e.kind === 'trainStart') {
      readyMs = now;
      runDir = e.runDir;
    } else if (e.kind === 'trainEpoch') {
      epochs.push({ epoch: e.epoch, atMs: e.time, valAcc: e.valAcc, valLoss: e.valLoss, trainLoss: e.trainLoss, trainAcc: e.trainAcc, lr: e.lr, epochS: e.seconds });
      log(`ours: epoch ${e.epoch}: val acc ${pct(e.valAcc)} at ${((e.time - t0) / 1000).toFixed(1)} s`);
    }
  });
  rmSync(runsRoot, { recursive: true, force: true });
  return finish('ours', res, readyMs, epochs, { runDir });
}

async function runPytorch(files, env) {
  const epochs = [];
  let readyMs = null;
  let ready;
  const cmd = [PY, join(root, 'scripts/bench/pytorch_train_folder.py'), 'train', '--spec', files.spec, '--weights', files.init, '--data', opts.data, '--mode', opts.mode, ...recipeArgs(), '--threads', String(opts.threads), '--crops', opts.pytorchCrops];
  log(`pytorch: ${cmd.slice(1).join(' ')}`);
  const res = await runMonitored(cmd, env, (line) => {
    if (!line.startsWith('@@TTA ')) return;
    const e = JSON.parse(line.slice(6));
    if (e.kind === 'ready') {
      readyMs = e.time;
      ready = e;
    } else if (e.kind === 'epoch') {
      epochs.push({ epoch: e.epoch, atMs: e.time, valAcc: e.valAcc, valLoss: e.valLoss, trainLoss: e.trainLoss, trainAcc: e.trainAcc, lr: e.lr, epochS: e.seconds });
      log(`pytorch: epoch ${e.epoch}: val acc ${pct(e.valAcc)}`);
    }
  });
  return finish('pytorch', res, readyMs, epochs, { torch: ready?.torch, threads: ready?.threads });
}

function finish(name, res, readyMs, epochs, extra) {
  const out = {
    runtime: name,
    ok: res.code === 0 && epochs.length === opts.epochs,
    exitCode: res.code,
    signal: res.signal,
    setupS: readyMs === null ? null : round((readyMs - res.t0) / 1000),
    totalS: round(res.totalS),
    cpuS: round(res.cpuS),
    cpuWaitShare: res.cpuWaitShare === null ? null : round(res.cpuWaitShare, 3),
    peakMemMb: res.peakMemMb,
    epochs: epochs.map(({ atMs, ...e }) => ({ ...e, wallS: round((atMs - res.t0) / 1000) })),
    ...extra,
  };
  if (!out.ok) out.error = `exit ${res.code ?? res.signal}, ${epochs.length}/${opts.epochs} epochs: ${res.stderrTail}`;
  const reached = out.epochs.find((e) => e.valAcc !== null && e.valAcc >= opts.target);
  const best = out.epochs.reduce((b, e) => (e.valAcc !== null && (!b || e.valAcc > b.valAcc) ? e : b), null);
  out.target = reached ? { reached: true, epoch: reached.epoch, seconds: reached.wallS } : { reached: false };
  out.best = best ? { valAcc: best.valAcc, epoch: best.epoch, seconds: best.wallS } : null;
  return out;
}

// ---------------------------------------------------------------- report
const round = (x, d = 1) => (x === null || x === undefined ? x : Math.round(x * 10 ** d) / 10 ** d);
const pct = (x) => (x === null || x === undefined ? '-' : `${(100 * x).toFixed(1)}%`);
const NAMES = { ours: 'ours (node dist/cli.js train)', pytorch: 'PyTorch' };

/** First time a run's validation accuracy reached `level`. */
const timeTo = (run, level) => run.epochs.find((e) => e.valAcc !== null && e.valAcc >= level - 1e-9) ?? null;

function report(runs, meta) {
  const lines = [];
  const names = Object.keys(runs);
  lines.push(`| epoch | ${names.map((n) => `${NAMES[n]}: s since start | val acc`).join(' | ')} |`);
  lines.push(`|---|${names.map(() => '---|---').join('|')}|`);
  lines.push(`| ready (data, features) | ${names.map((n) => `${runs[n].setupS ?? '-'} | `).join(' | ')} |`);
  for (let i = 0; i < opts.epochs; i++) {
    const cells = names.map((n) => {
      const e = runs[n].epochs[i];
      return e ? `${e.wallS} | ${pct(e.valAcc)}` : '- | -';
    });
    if (cells.every((c) => c === '- | -')) break;
    lines.push(`| ${i + 1} | ${cells.join(' | ')} |`);
  }
  lines.push('');
  lines.push(`| runtime | time to ${pct(opts.target)} | best val acc | time to best | total s | CPU s | CPU wait | peak MB |`);
  lines.push('|---|---|---|---|---|---|---|---|');
  for (const n of names) {
    const r = runs[n];
    const t = r.target.reached ? `${r.target.seconds} s (epoch ${r.target.epoch})` : 'not reached';
    const b = r.best ? `${pct(r.best.valAcc)} (epoch ${r.best.epoch})` : (r.error ?? '-');
    lines.push(`| ${NAMES[n]} | ${t} | ${b} | ${r.best ? `${r.best.seconds} s` : '-'} | ${r.totalS} | ${r.cpuS} | ${r.cpuWaitShare === null ? '-' : pct(r.cpuWaitShare)} | ${r.peakMemMb ?? '-'} |`);
  }
  const summary = {};
  if (runs.ours && runs.pytorch) {
    const { ours, pytorch } = runs;
    if (ours.target.reached && pytorch.target.reached) {
      summary.ratio = round(ours.target.seconds / pytorch.target.seconds, 2);
      summary.text = `Both reached ${pct(opts.target)}: ours in ${ours.target.seconds} s, PyTorch in ${pytorch.target.seconds} s (ours / PyTorch = ${summary.ratio}; <= 1 meets the goal).`;
    } else if (!ours.target.reached && !pytorch.target.reached) {
      summary.text = `Neither reached ${pct(opts.target)} in ${opts.epochs} epochs (best: ours ${pct(ours.best?.valAcc)} at ${ours.best?.seconds ?? '-'} s, PyTorch ${pct(pytorch.best?.valAcc)} at ${pytorch.best?.seconds ?? '-'} s).`;
    } else {
      const who = ours.target.reached ? 'ours' : 'PyTorch';
      summary.text = `Only ${who} reached ${pct(opts.target)}.`;
    }
    // the highest accuracy both reached: a comparison even when the target was missed
    if (ours.best && pytorch.best) {
      const level = Math.min(ours.best.valAcc, pytorch.best.valAcc);
      const [a, b] = [timeTo(ours, level), timeTo(pytorch, level)];
      summary.commonLevel = { valAcc: level, oursS: a.wallS, pytorchS: b.wallS, ratio: round(a.wallS / b.wallS, 2) };
      summary.text += ` Highest accuracy both reached, ${pct(level)}: ours at ${a.wallS} s (epoch ${a.epoch}), PyTorch at ${b.wallS} s (epoch ${b.epoch}), ratio ${summary.commonLevel.ratio}.`;
    }
    if (meta.check) summary.text += ` Layout check: PyTorch's logits on our starting weights match ours within ${meta.check.maxAbsDiff.toExponential(1)} (largest logit ${meta.check.maxAbsLogit.toFixed(2)}).`;
  }
  return { table: lines.join('\n'), summary };
}

// ---------------------------------------------------------------- main
const started = new Date();
const loadBefore = readFileSync('/proc/loadavg', 'utf8').trim();
ensureBuild();
const wantPy = only !== 'ours';
if (wantPy && !haveTorch()) {
  console.error('PyTorch is not available (apt-get install python3-torch failed): run with --only ours');
  process.exit(1);
}
// --pytorch-heap: glibc keeps big tensors on the heap instead of a fresh mmap each (PyTorch at its
// best; by default every step page-faults its weight-sized temporaries in again, see bench/README.md)
const pyHeapEnv = flag('pytorch-heap') ? { MALLOC_MMAP_MAX_: '0', MALLOC_TRIM_THRESHOLD_: String(2 ** 40), MALLOC_TOP_PAD_: String(2 ** 28) } : {};
const pyEnv = wantPy ? { ...process.env, LD_LIBRARY_PATH: ensureOpenBlas(log), OMP_NUM_THREADS: String(opts.threads), ...pyHeapEnv } : null;
if (flag('pytorch-heap')) log('PyTorch runs with MALLOC_MMAP_MAX_=0 (big tensors kept on the heap)');
const files = prepare();
log(`dataset ${opts.data}: ${files.info.classNames.length} classes (${files.info.classNames.join(', ')}), ${files.info.train} train / ${files.info.val} val; start: ${files.info.label}`);
let check = null;
if (wantPy && !flag('no-check')) {
  check = checkLayout(files, pyEnv);
  log(`layout check: max |ours - PyTorch| = ${check.maxAbsDiff.toExponential(2)} on logits up to ${check.maxAbsLogit.toFixed(3)}: ${check.ok ? 'ok' : 'MISMATCH'}`);
  if (!check.ok) {
    console.error('PyTorch does not compute what we compute from the same weights: fix the layout conversion before timing anything');
    process.exit(1);
  }
}
const runs = {};
for (const side of order) {
  if ((only && only !== side) || interrupted) continue;
  runs[side] = side === 'ours' ? await runOurs(files) : await runPytorch(files, pyEnv);
  if (runs[side].error) log(`${side}: ${runs[side].error}`);
}
const loadAfter = readFileSync('/proc/loadavg', 'utf8').trim();
const { table, summary } = report(runs, { check });
const info = files.info;
function augmentation() {
  const S = opts.variant === 'caffe' ? 227 : 224;
  if (opts.mode !== 'frozen') return `random ${S} crop + flip`;
  const fixed = `one of 10 fixed ${S} crops (centre + 4 corners, each also flipped) per image and epoch, conv features computed once`;
  return opts.pytorchCrops === 'fixed' ? `${fixed} (both)` : `ours: ${fixed}; PyTorch: a random ${S} crop + flip, convolutions run every step (the usual recipe)`;
}
const header =
  `Time to accuracy, ${started.toISOString()}: ${opts.data} (${info.classNames.length} classes, ${info.train} train / ${info.val} val), ` +
  `${opts.variant}, mode ${opts.mode}, start: ${info.label}; SGD momentum ${opts.momentum}, weight decay ${opts.weightDecay}, lr ${opts.lr} (/10 after ${opts.patience} epochs without a lower val loss), ` +
  `batch ${opts.batchSize}, ${opts.epochs} epochs; resize 256, then ${augmentation()}, no PCA lighting; validation centre crop; ` +
  `${opts.threads} threads each, run one after the other (${order.filter((s) => !only || only === s).join(' then ')}). ` +
  `Times are wall seconds since the process started (imports, data loading and feature extraction included). Load average before ${loadBefore}, after ${loadAfter}; ` +
  `"CPU wait": share of the run's thread time spent waiting for a CPU (above ~10% the machine was busy with other work).`;
console.log(header + '\n');
console.log(table);
if (summary.text) console.log('\n' + summary.text);
const notes = [
  'Random streams differ between the two (shuffle order, crop positions, flips, dropout masks), so accuracy per epoch differs by chance; the starting weights are identical.',
  'PCA lighting is off on both sides (pytorch_train_folder.py does not implement it; our frozen mode turns it off anyway).',
  "Resizing: sharp's lanczos3 (ours) vs PIL's LANCZOS: close, not bit-identical.",
  'Ours writes checkpoint.safetensors (and best.safetensors when the accuracy improved) after every epoch, before the next one starts; the PyTorch script saves nothing.',
  "After an lr cut our momentum buffer still holds steps at the old lr (v <- m v - lr g), PyTorch's holds gradients (buf <- m buf + g, step lr * buf): equal while lr is constant.",
];
mkdirSync(join(outFile, '..'), { recursive: true });
writeFileSync(outFile, JSON.stringify({ date: started.toISOString(), machine: { cpu: cpus()[0]?.model, cores: cpus().length, loadavgBefore: loadBefore, loadavgAfter: loadAfter }, recipe: { ...opts, start: info.label, classes: info.classNames, trainImages: info.train, valImages: info.val }, layoutCheck: check, order, runs, summary, notes, table }, null, 2) + '\n');
log(`wrote ${outFile}`);
