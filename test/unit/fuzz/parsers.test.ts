// Fuzz tests for every parser of untrusted bytes: weight files (torch.save zip and legacy, the
// Caffe .npy, safetensors, raw pickles), the ONNX model cache reader, and the image decoders.
// Each target runs seeded mutations of a small valid fixture (mutate.ts) in its own process
// (fuzzChild.ts) and must give, for every case, a valid result or the parser's own typed error
// with a message (no raw JavaScript error), never crash, never run past a per-case time limit, and
// stay within a memory bound. A failure names target, seed and case:
//   FUZZ_SEED=<seed> FUZZ_ONLY=<case> node scripts/run-unit-tests.mjs fuzz/parsers
// Own loop rather than fast-check: the mutators are format-aware (length fields), no shrinking is
// needed (a case is one mutation of a tiny file, replayable by number), and a hang or a crash must
// be caught from outside the process, which a property-testing library running in-process cannot.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { join } from 'node:path';

const SEED = Number(process.env.FUZZ_SEED ?? 20261202);
/** per case; loose: the machine is shared */
const CASE_LIMIT_MS = 15_000;
const RSS_LIMIT_MB = 1024;

interface Report {
  counts?: { valid: number; refused: number };
  peakRssMb?: number;
  bad: string[];
  slowestMs: number;
}

/** Runs `targets` one after another in one process (tsx starts once); a report per target. */
function fuzz(targets: [string, number][]): Promise<Map<string, Report>> {
  return new Promise((resolve, reject) => {
    const child = fork(join(__dirname, 'fuzzChild.ts'), [targets.map((t) => t[0]).join(','), String(SEED), targets.map((t) => t[1]).join(',')], {
      execArgv: ['--import', 'tsx', '--max-old-space-size=512'],
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      env: { ...process.env, ALEXNET_ONNX_CACHE_DIR: 'off' },
    });
    const reports = new Map<string, Report>(targets.map(([t]) => [t, { bad: [], slowestMs: 0 }]));
    let current: { target: string; n: number; what: string } | undefined;
    let timer: NodeJS.Timeout | undefined;
    let stderr = '';
    child.stderr?.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
    const where = () => (current ? `${current.target} case ${current.n} (${current.what}), seed ${SEED}` : 'setup');
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`${where()} ran past ${CASE_LIMIT_MS} ms`));
      }, CASE_LIMIT_MS);
    };
    arm(); // setup too
    type Msg = { kind: string; target: string; n: number; what: string; ms: number; error: string; counts: Report['counts']; peakRssMb: number };
    child.on('message', (m: Msg) => {
      const r = reports.get(m.target);
      if (m.kind === 'start') {
        current = m;
        arm();
      } else if (m.kind === 'done' && r) {
        r.slowestMs = Math.max(r.slowestMs, m.ms);
      } else if (m.kind === 'bad' && r) {
        r.bad.push(`case ${m.n} (${m.what}): ${m.error}`);
      } else if (m.kind === 'summary' && r) {
        r.counts = m.counts;
        r.peakRssMb = m.peakRssMb;
        current = undefined;
        arm(); // the next target's setup
      } else if (m.kind === 'setup-failed') {
        reject(new Error(`setup failed after ${where()}: ${m.error}`));
      }
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0 && [...reports.values()].every((r) => r.counts)) return resolve(reports);
      reject(new Error(`the fuzz process died (code ${code}, signal ${signal}) during ${where()}\n${stderr}`));
    });
  });
}

const GROUPS: Record<string, [string, number][]> = {
  'weight files (torch.save zip and legacy, Caffe .npy, safetensors, pickles)': [
    ['pth-zip', 300],
    ['pth-zip-torchvision', 120],
    ['pth-legacy', 300],
    ['npy-caffe', 150],
    ['safetensors', 300],
    ['pickle-p2', 300],
    ['pickle-p4', 300],
  ],
  'the ONNX model cache reader': [['onnx-cache', 120]],
  'the image decoders': [
    ['rgb.jpg', 100],
    ['progressive.jpg', 60],
    ['rgba.png', 80],
    ['palette.png', 60],
    ['rgb.webp', 60],
    ['animated.gif', 60],
    ['rgb.tif', 60],
    ['rgb.bmp', 80],
    ['palette.bmp', 60],
  ],
};

for (const [group, targets] of Object.entries(GROUPS)) {
  test(`fuzz ${group}: every mutation gives a valid result or a typed error`, { timeout: 150_000 }, async () => {
    const reports = await fuzz(targets);
    for (const [target, count] of targets) {
      const r = reports.get(target)!;
      assert.deepEqual(r.bad, [], `${target}, seed ${SEED}:\n${r.bad.slice(0, 10).join('\n')}`);
      assert.ok(r.peakRssMb! < RSS_LIMIT_MB, `${target}: peak RSS ${r.peakRssMb} MB`);
      const { valid, refused } = r.counts!;
      assert.equal(valid + refused, count);
      assert.ok(refused > 0, `${target}: no mutation was refused; the mutator does nothing?`);
      assert.ok(valid > 0, `${target}: no mutation parsed; the fixture itself is refused?`);
      console.log(`# ${target}: ${count} cases, ${valid} valid, ${refused} refused, slowest ${r.slowestMs.toFixed(0)} ms, peak RSS ${r.peakRssMb} MB`);
    }
  });
}
