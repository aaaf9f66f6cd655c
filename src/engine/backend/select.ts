// Chooses and starts the TensorFlow.js backend for the engine.
//
// Order for 'auto': tfjs-node-gpu, tfjs-node (optional native packages, usually absent),
// WebAssembly (SIMD + threads), then the pure JavaScript cpu backend. An explicit preference
// that fails falls down the same list, and every skipped candidate says why.
//
// The backend packages are required lazily, here, so that importing this module registers no
// backend: a tensor made before initBackend() then fails loudly instead of silently starting
// wasm without its paths, threads and training kernels.
import { existsSync } from 'node:fs';
import * as os from 'node:os';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { MAX_WASM_THREADS, prepareWasmThreads, wasmThreadsUnsupportedReason } from './wasmThreads';
import { registerWasmTrainingKernels } from './wasmKernels';

// The names and the report are protocol types (the host and the CLI show them).
import { BACKEND_ORDER, type BackendName, type BackendPreference, type BackendReport } from '../../protocol/engine/backend';
export { BACKEND_ORDER, type BackendName, type BackendPreference, type BackendReport };

export interface BackendOptions {
  /** WebAssembly threads (default: the number of CPU cores, at most 8) */
  threads?: number;
  /** folder holding the tfjs-backend-wasm .wasm files (default: found automatically) */
  wasmDir?: string;
}

export interface BackendProbe {
  name: BackendName;
  available: boolean;
  /** why it is unavailable, or what is known about it */
  detail: string;
}

const WASM_FILES = {
  plain: 'tfjs-backend-wasm.wasm',
  simd: 'tfjs-backend-wasm-simd.wasm',
  threadedSimd: 'tfjs-backend-wasm-threaded-simd.wasm',
} as const;

/** Default WebAssembly thread count: one per core, within the wasm backend's limit. */
export function defaultWasmThreads(): number {
  const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  return Math.max(1, Math.min(MAX_WASM_THREADS, cores));
}

/**
 * The folder with the .wasm files: beside the bundle (dist/wasm/, copied by scripts/build.mjs)
 * or in node_modules when running from sources. Undefined when neither exists.
 */
export function findWasmDir(): string | undefined {
  const candidates = [join(__dirname, 'wasm')];
  try {
    candidates.push(dirname(require.resolve('@tensorflow/tfjs-backend-wasm')));
  } catch {
    // not resolvable (a bundle shipped without node_modules): only the bundle's own folder counts
  }
  return candidates.find((d) => existsSync(join(d, WASM_FILES.simd)) || existsSync(join(d, WASM_FILES.plain)));
}

function simdSupported(): boolean {
  try {
    // wasm-feature-detect's SIMD test (an i8x16.splat), the same one tfjs uses.
    return WebAssembly.validate(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 3, 2, 1, 0, 10, 9, 1, 7, 0, 65, 0, 253, 15, 26, 11]));
  } catch {
    return false;
  }
}

const NATIVE_PACKAGES = { 'tfjs-node-gpu': '@tensorflow/tfjs-node-gpu', 'tfjs-node': '@tensorflow/tfjs-node' } as const;

function requireNative(name: 'tfjs-node-gpu' | 'tfjs-node'): unknown {
  // Literal specifiers: scripts/build.mjs marks both packages external, so the bundle keeps these
  // requires and Node resolves them at run time.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return name === 'tfjs-node-gpu' ? require('@tensorflow/tfjs-node-gpu') : require('@tensorflow/tfjs-node');
}

function resolveNative(name: 'tfjs-node-gpu' | 'tfjs-node'): string | undefined {
  try {
    return name === 'tfjs-node-gpu' ? require.resolve('@tensorflow/tfjs-node-gpu') : require.resolve('@tensorflow/tfjs-node');
  } catch {
    return undefined;
  }
}

function loadErrorReason(pkg: string, e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  const msg = String(err?.message ?? e).split('\n')[0];
  if (err?.code === 'MODULE_NOT_FOUND' && msg.includes(`'${pkg}'`)) return 'not installed';
  return `failed to load: ${msg}`;
}

/** What could run here, without starting anything (for a "Select Backend" quick pick). */
export function probeBackends(): BackendProbe[] {
  const probes: BackendProbe[] = [];
  for (const name of ['tfjs-node-gpu', 'tfjs-node'] as const) {
    const at = resolveNative(name);
    probes.push({
      name,
      available: at !== undefined,
      detail: at ? `installed (${NATIVE_PACKAGES[name]}); not loaded yet` : 'not installed',
    });
  }
  const wasmDir = findWasmDir();
  const simd = simdSupported();
  const threadsWhyNot = wasmThreadsUnsupportedReason();
  const hasThreadedFile = wasmDir !== undefined && existsSync(join(wasmDir, WASM_FILES.threadedSimd));
  let wasmDetail: string;
  if (!wasmDir) wasmDetail = 'the .wasm files were not found';
  else if (!simd) wasmDetail = 'WebAssembly without SIMD, 1 thread';
  else if (threadsWhyNot || !hasThreadedFile) wasmDetail = `SIMD, 1 thread (${threadsWhyNot ?? 'no threaded .wasm file'})`;
  else wasmDetail = `SIMD, up to ${defaultWasmThreads()} threads`;
  probes.push({ name: 'wasm', available: wasmDir !== undefined, detail: wasmDetail });
  probes.push({ name: 'cpu', available: true, detail: 'pure JavaScript (slow: about 1 GFLOP/s)' });
  return probes;
}

/**
 * tf.setBackend, returning the reason on failure instead of printing it: tfjs reports init
 * errors through console.warn only. Gives up after timeoutMs (a stuck worker start).
 */
async function setBackendExplained(name: string, timeoutMs = 60_000): Promise<string | undefined> {
  const warnings: string[] = [];
  const realWarn = console.warn;
  console.warn = (...args: unknown[]) => warnings.push(args.map(String).join(' '));
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    const ok = await Promise.race([tf.setBackend(name), timeout]);
    if (ok === 'timeout') return `initialisation did not finish within ${timeoutMs / 1000} s`;
    if (!ok) return warnings.filter((w) => !w.startsWith('Initialization of backend')).map((w) => w.split('\n')[0]).join('; ') || 'initialisation failed';
    return undefined;
  } catch (e) {
    return (e as Error).message.split('\n')[0];
  } finally {
    if (timer) clearTimeout(timer);
    console.warn = realWarn;
  }
}

type Attempt = { ok: true; report: Omit<BackendReport, 'preference' | 'skipped'> } | { ok: false; reason: string };

async function tryNative(name: 'tfjs-node-gpu' | 'tfjs-node'): Promise<Attempt> {
  const pkg = NATIVE_PACKAGES[name];
  try {
    requireNative(name);
  } catch (e) {
    return { ok: false, reason: loadErrorReason(pkg, e) };
  }
  // Both packages register the backend 'tensorflow'.
  if (!tf.findBackendFactory('tensorflow')) return { ok: false, reason: `${pkg} loaded but registered no 'tensorflow' backend with this tfjs-core` };
  const why = await setBackendExplained('tensorflow');
  if (why) return { ok: false, reason: why };
  const gpu = name === 'tfjs-node-gpu';
  return {
    ok: true,
    report: {
      chosen: name,
      tfBackend: tf.getBackend(),
      kind: gpu ? 'gpu' : 'native-cpu',
      // libtensorflow silently uses the CPU when CUDA finds no device; its log says which.
      label: gpu ? 'TensorFlow native (CUDA)' : 'TensorFlow native (CPU)',
      notes: [],
    },
  };
}

type WasmModule = typeof import('@tensorflow/tfjs-backend-wasm');
let startedWasmDir: string | undefined;

async function tryWasm(opts: BackendOptions): Promise<Attempt> {
  let wasm: WasmModule;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    wasm = require('@tensorflow/tfjs-backend-wasm') as WasmModule;
  } catch (e) {
    return { ok: false, reason: loadErrorReason('@tensorflow/tfjs-backend-wasm', e) };
  }
  const notes: string[] = [];
  const simd = simdSupported();
  const alreadyStarted = tf.engine().registry['wasm'] !== undefined;
  if (alreadyStarted) {
    // The wasm module starts once per process: paths and threads are fixed by then.
    const why = await setBackendExplained('wasm');
    if (why) return { ok: false, reason: why };
    const threads = wasm.getThreadsCount();
    if (opts.threads !== undefined && opts.threads !== threads)
      notes.push(`WebAssembly was already started with ${threads} thread(s); restart the engine to change it`);
    registerWasmTrainingKernels();
    return { ok: true, report: { ...wasmReport(threads, simd, notes), wasmDir: startedWasmDir } };
  }

  const dir = opts.wasmDir ?? findWasmDir();
  if (!dir) return { ok: false, reason: 'the .wasm files were not found (expected beside the bundle in wasm/ or in node_modules)' };
  try {
    wasm.setWasmPaths(dir.endsWith('/') ? dir : `${dir}/`);
  } catch (e) {
    return { ok: false, reason: (e as Error).message };
  }

  let threads = Math.max(1, Math.min(MAX_WASM_THREADS, Math.floor(opts.threads ?? defaultWasmThreads())));
  if (threads > 1) {
    const whyNot = !simd
      ? 'no WebAssembly SIMD (the threaded build needs it)'
      : wasmThreadsUnsupportedReason() ?? (existsSync(join(dir, WASM_FILES.threadedSimd)) ? undefined : `${WASM_FILES.threadedSimd} is missing`);
    if (whyNot) {
      notes.push(`1 thread: ${whyNot}`);
      threads = 1;
    }
  }
  let why = await startWasm(threads);
  if (why && threads > 1) {
    notes.push(`1 thread: the threaded start failed (${why})`);
    threads = 1;
    why = await startWasm(1);
  }
  if (why) return { ok: false, reason: why };
  startedWasmDir = dir;
  const actual = wasm.getThreadsCount();
  if (actual !== threads) notes.push(`asked for ${threads} thread(s), the wasm thread pool has ${actual}`);
  registerWasmTrainingKernels();
  return { ok: true, report: { ...wasmReport(actual, simd, notes), wasmDir: dir } };
}

async function startWasm(threads: number): Promise<string | undefined> {
  // Emscripten's glue adds process-wide 'uncaughtException'/'unhandledRejection' listeners that
  // rethrow from inside the glue (so any crash prints a 100 kB line of it); take them off again.
  const events = ['uncaughtException', 'unhandledRejection'];
  const listeners = (e: string) => (process as NodeJS.EventEmitter).listeners(e) as ((...a: unknown[]) => void)[];
  const before = events.map((e) => new Set(listeners(e)));
  const restore = prepareWasmThreads(threads);
  try {
    return await setBackendExplained('wasm');
  } finally {
    restore();
    events.forEach((e, i) => {
      for (const l of listeners(e)) if (!before[i].has(l)) process.removeListener(e, l);
    });
  }
}

function wasmReport(threads: number, simd: boolean, notes: string[]): Omit<BackendReport, 'preference' | 'skipped'> {
  const parts = [simd ? 'SIMD' : 'no SIMD', `${threads} thread${threads === 1 ? '' : 's'}`];
  return { chosen: 'wasm', tfBackend: tf.getBackend(), kind: 'wasm', label: `WebAssembly (${parts.join(', ')})`, threads, simd, notes };
}

async function tryCpu(): Promise<Attempt> {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require('@tensorflow/tfjs-backend-cpu');
  } catch (e) {
    return { ok: false, reason: loadErrorReason('@tensorflow/tfjs-backend-cpu', e) };
  }
  const why = await setBackendExplained('cpu');
  if (why) return { ok: false, reason: why };
  return { ok: true, report: { chosen: 'cpu', tfBackend: tf.getBackend(), kind: 'js-cpu', label: 'JavaScript CPU (slow)', notes: [] } };
}

/**
 * Starts the preferred backend, or the next one down BACKEND_ORDER that works.
 * Call before creating any tensor. Calling it again switches backends (tensors are moved
 * lazily by tfjs); WebAssembly's thread count is fixed at its first start in a process.
 */
export async function initBackend(pref: BackendPreference = 'auto', opts: BackendOptions = {}): Promise<BackendReport> {
  const start = pref === 'auto' ? 0 : BACKEND_ORDER.indexOf(pref);
  if (start < 0) throw new Error(`unknown backend '${pref}' (expected auto, ${BACKEND_ORDER.join(', ')})`);
  const skipped: { name: string; reason: string }[] = [];
  for (const name of BACKEND_ORDER.slice(start)) {
    const attempt =
      name === 'tfjs-node-gpu' || name === 'tfjs-node' ? await tryNative(name) : name === 'wasm' ? await tryWasm(opts) : await tryCpu();
    if (attempt.ok) return { preference: pref, skipped, ...attempt.report };
    skipped.push({ name, reason: attempt.reason });
  }
  throw new Error(`no TensorFlow.js backend could start: ${skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')}`);
}
