// `alexnet <command> --json`: stdout holds the JSON and nothing else, for every command (logs,
// notes and warnings from the engine or its libraries go to stderr). Needs dist/cli.js (npm test
// builds first). Runs the built CLI as a user's shell would.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../../helpers/paths';
import { makeClassFolders } from '../../fixtures/train/makeDataset';

const CLI = join(REPO_ROOT, 'dist/cli.js');
const img = (name: string) => join(REPO_ROOT, 'test/fixtures/images', name);

function cli(args: string[], timeout = 240_000) {
  assert.ok(existsSync(CLI), 'dist/cli.js is missing: run `npm run build` first');
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout, maxBuffer: 64 * 2 ** 20, env: { ...process.env, ALEXNET_ONNX_CACHE_DIR: 'off' } });
  assert.equal(r.signal, null, `killed by ${r.signal}: ${r.stderr}`);
  return r;
}

/** The whole of stdout is one JSON document. */
function onlyJson(stdout: string): Record<string, unknown> {
  try {
    return JSON.parse(stdout) as Record<string, unknown>;
  } catch {
    assert.fail(`stdout is not only JSON:\n${stdout.slice(0, 2000)}`);
  }
}

test('classify --json: only the JSON on stdout, the inference note on stderr', { timeout: 300_000 }, () => {
  const r = cli(['classify', img('rgb.jpg'), img('not-an-image.jpg'), '--random', '--json', '--topk', '2']);
  assert.equal(r.status, 3, r.stderr); // one bad image
  const out = onlyJson(r.stdout);
  const items = out.items as { ok: boolean }[];
  assert.deepEqual(items.map((i) => i.ok), [true, false]);
  assert.equal(typeof out.inference, 'string');
});

test('in JSON mode console.log/info/debug and raw stdout writes go to stderr; printJson alone reaches stdout', () => {
  const script = [
    `const o = require(${JSON.stringify(join(REPO_ROOT, 'src/cli/output.ts'))});`,
    "o.enterJsonMode(); console.log('log'); console.info('inference stays on WebAssembly'); console.debug('debug');",
    "process.stdout.write('raw write\\n'); o.printJson({ a: 1 }); o.printJson({ b: 2 }, true);",
  ].join(' ');
  const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, '{\n  "a": 1\n}\n{"b":2}\n');
  assert.match(r.stderr, /log\ninference stays on WebAssembly\ndebug\nraw write/);
});

test('classify --json with the wasm backend keeps stdout clean', { timeout: 300_000 }, () => {
  const r = cli(['classify', img('rgb.jpg'), '--random', '--json', '--backend', 'wasm']);
  assert.equal(r.status, 0, r.stderr);
  onlyJson(r.stdout);
});

test('info --json and doctor --json: only JSON on stdout', { timeout: 300_000 }, () => {
  for (const args of [['info', '--json', '--variant', 'paper'], ['doctor', '--json']]) {
    const r = cli(args);
    assert.equal(r.status, 0, `${args[0]}: ${r.stderr}`);
    const out = onlyJson(r.stdout);
    assert.ok(Object.keys(out).length > 0, args[0]);
  }
});

test('bench --json: only JSON on stdout', { timeout: 300_000 }, () => {
  const r = cli(['bench', '--json', '--runs', '1', '--no-cold']);
  assert.equal(r.status, 0, r.stderr);
  const out = onlyJson(r.stdout);
  assert.ok(Array.isArray(out.rows));
});

test('train --json: every stdout line is one JSON event, the last the result', { timeout: 600_000 }, async () => {
  const root = mkdtempSync(join(tmpdir(), 'alexnet-cli-train-'));
  const folder = await makeClassFolders(3, { root: join(root, 'data'), classes: ['red', 'blue'] });
  const r = cli(['train', folder, '--json', '--epochs', '1', '--batch-size', '2', '--mode', 'scratch', '--runs', join(root, 'runs'), '--no-pca'], 540_000);
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  const events = lines.map((l) => {
    try {
      return JSON.parse(l) as { kind: string };
    } catch {
      return assert.fail(`stdout line is not JSON: ${l.slice(0, 300)}`);
    }
  });
  assert.equal(events[0].kind, 'scan');
  assert.equal(events[events.length - 1].kind, 'result');
  // auto here: no CUDA, no GPU device node for WebGPU, so the CPU, saying why the others were passed over
  const { device } = events[events.length - 1] as { kind: string; device?: { id: string; preference: string; notUsed?: string[] } };
  assert.equal(device?.id, 'cpu', JSON.stringify(device));
  assert.equal(device?.preference, 'auto');
  assert.ok(device?.notUsed?.some((l) => /^CUDA not used: /.test(l)), JSON.stringify(device));
});

test('bench --train --json: the last stdout line is one JSON object with the benchmark fields', { timeout: 300_000 }, () => {
  // frozen mode at batch 2: the FC layers only, so the check stays short (the timing is not judged)
  const r = cli(['bench', '--train', '--variant', 'torchvision', '--batch-size', '2', '--steps', '1', '--mode', 'frozen', '--device', 'cpu', '--json']);
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, unknown>;
  for (const k of ['imagesPerSecond', 'msPerStep', 'peakRssMB']) assert.ok(typeof out[k] === 'number' && (out[k] as number) > 0, `${k}: ${out[k]}`);
  assert.equal(out.device, 'cpu');
  assert.equal(out.devicePreference, 'cpu');
  assert.equal(out.deviceLabel, 'CPU');
  assert.match(String(out.runtime), /^onnxruntime-node 1\.30\.\d+$/);
  assert.equal(out.mallocMmapMax, '0', 'the command re-runs itself with MALLOC_MMAP_MAX_=0');
  const bad = cli(['bench', '--train', '--device', 'tpu', '--json']);
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, /--device tpu: one of auto, cpu, webgpu, cuda, directml/);
  // cuda asked for where it is not installed: the steps run on the CPU and the JSON says why
  const cuda = cli(['bench', '--train', '--variant', 'torchvision', '--batch-size', '2', '--steps', '1', '--mode', 'frozen', '--device', 'cuda', '--json']);
  assert.equal(cuda.status, 0, cuda.stderr);
  const c = JSON.parse(cuda.stdout.trim().split('\n').pop()!) as { device: string; devicePreference: string; notUsed?: string[] };
  assert.equal(c.device, 'cpu');
  assert.equal(c.devicePreference, 'cuda');
  assert.ok(c.notUsed?.some((l) => /^CUDA not used: /.test(l)), JSON.stringify(c));
});
