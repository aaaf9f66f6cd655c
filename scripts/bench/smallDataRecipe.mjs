#!/usr/bin/env node
// The "Small data from scratch" recipe (issue 13) on our trainer and on PyTorch, in one script, one
// after the other per dataset: `alexnet train FOLDER --json` (the default preset) and
// scripts/bench/small_data_recipe.py (the same recipe in PyTorch 1.13 with OpenBLAS, on our run's
// train/val split: --val-from). Prints a table:
// best val accuracy and epoch, seconds to 90% / 95%, wall and CPU seconds, and the load, since the
// machine is shared (wall = compute + waiting for a CPU). Each run gets --time-limit seconds (600: the
// issue's 10 minutes): ours is then cancelled with Ctrl-C (SIGINT to its process group: a clean cancel,
// the result line still comes), PyTorch stops after the epoch that passes it.
//   node scripts/build.mjs && node scripts/bench/smallDataRecipe.mjs [--data DIR] [--datasets shapes,patterns]
//     [--only ours|pytorch] [--time-limit 600]
import { spawn } from 'node:child_process';
import { readFileSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(fileURLToPath(import.meta.url), '../../..');
const args = process.argv.slice(2);
const opt = (name, dflt) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : dflt);
const data = resolve(opt('data', join(repo, '.bench-data')));
const datasets = opt('datasets', 'shapes,patterns').split(',');
const only = opt('only', '');
const timeLimit = Number(opt('time-limit', '600'));
const runs = join(data, 'runs');
mkdirSync(runs, { recursive: true });

function run(cmd, argv, env = {}, limitSeconds = 0) {
  return new Promise((res, rej) => {
    const t0 = Date.now();
    // /usr/bin/time reports the child's CPU seconds (user + system) on stderr's last line; it ignores
    // SIGINT while it waits, so the Ctrl-C of the time limit reaches only the trainer (own process group)
    const p = spawn('/usr/bin/time', ['-f', '@@CPU %U %S', cmd, ...argv], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const timer = limitSeconds > 0 ? setTimeout(() => process.kill(-p.pid, 'SIGINT'), limitSeconds * 1000) : undefined;
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => { out += d; process.stdout.write(d); });
    p.stderr.on('data', (d) => { err += d; if (!String(d).startsWith('@@CPU')) process.stderr.write(d); });
    p.on('error', rej);
    p.on('close', (code) => {
      clearTimeout(timer);
      const cpu = /@@CPU ([\d.]+) ([\d.]+)/.exec(err);
      res({ code, out, t0, wall: (Date.now() - t0) / 1000, cpu: cpu ? Number(cpu[1]) + Number(cpu[2]) : null });
    });
  });
}
const lastJson = (out) => JSON.parse(out.trim().split('\n').filter((l) => l.startsWith('{')).pop());
const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

await run('node', [join(repo, 'scripts/bench/make-datasets.mjs'), data]);
const rows = [];
for (const name of datasets) {
  const folder = join(data, `${name}-dataset`);
  let ourRun;
  if (only !== 'pytorch') {
    const l0 = load();
    const r = await run('node', [join(repo, 'dist/cli.js'), 'train', folder, '--runs', runs, '--json'], {}, timeLimit);
    const res = lastJson(r.out);
    ourRun = res.runDir;
    const epochs = readFileSync(join(res.runDir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((e) => e.type === 'epoch');
    // from the process start, as PyTorch's secondsTo90 (which counts its image loading)
    const to = (acc) => { const e = epochs.find((x) => x.valAcc >= acc); return e ? (e.time - r.t0) / 1000 : null; };
    rows.push({ dataset: name, trainer: 'ours (ORT)', best: res.bestValAccuracy, epoch: res.bestEpoch, epochs: res.epochs, to90: to(0.9), to95: to(0.95), wall: r.wall, cpu: r.cpu, load: `${l0} -> ${load()}` });
  }
  if (only !== 'ours') {
    const l0 = load();
    // the malloc settings our trainer runs with (src/engine/train/mallocEnv.ts)
    const r = await run('/usr/bin/python3', [join(repo, 'scripts/bench/small_data_recipe.py'), folder, '--time-limit', String(timeLimit), ...(ourRun ? ['--val-from', ourRun] : [])],
      { LD_LIBRARY_PATH: '/usr/lib/x86_64-linux-gnu/openblas-openmp', MALLOC_MMAP_MAX_: '0', MALLOC_TRIM_THRESHOLD_: '-1' });
    const res = lastJson(r.out);
    rows.push({ dataset: name, trainer: 'PyTorch 1.13', best: res.bestValAccuracy, epoch: res.bestEpoch, epochs: res.epochs, to90: res.secondsTo90, to95: res.secondsTo95, wall: r.wall, cpu: r.cpu, load: `${l0} -> ${load()}`, wait: res.schedWaitSeconds });
  }
}
const f = (x, d = 0) => (x === null || x === undefined ? '-' : Number(x).toFixed(d));
console.log('\n| dataset | trainer | best val acc | best epoch / epochs | s to 90% | s to 95% | wall s | CPU s | load (1/5/15 min) |');
console.log('|---|---|---|---|---|---|---|---|---|');
for (const r of rows) console.log(`| ${r.dataset} | ${r.trainer} | ${f(100 * r.best, 1)}% | ${r.epoch} / ${r.epochs} | ${f(r.to90)} | ${f(r.to95)} | ${f(r.wall)} | ${f(r.cpu)} | ${r.load} |`);
console.log(`\n(shared 2-core machine; ${new Date().toISOString()})`);
