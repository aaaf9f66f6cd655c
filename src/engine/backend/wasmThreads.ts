// Multithreaded WebAssembly for tfjs 4.22 in Node.
//
// Out of the box tfjs-backend-wasm runs single-threaded in Node, for three reasons, each
// worked around here:
//  1. The WASM_HAS_MULTITHREAD_SUPPORT flag returns false whenever IS_NODE (tfjs issue #3830).
//     -> we check SharedArrayBuffer + wasm atomics ourselves and set the flag.
//  2. Emscripten starts each pthread worker with `new Worker(URL.createObjectURL(blob))`, and
//     Node's Worker refuses blob: URLs (ERR_WORKER_PATH). It also posts the main glue script to
//     the worker as a Blob, which the worker then tries to read with fs.readFileSync.
//     -> the glue assigns `globalThis.Worker = require('worker_threads').Worker` right before
//     use; we make globalThis.Worker an accessor that hands out a Worker subclass instead. That
//     subclass runs tfjs's own worker script from text (`eval: true`), and replaces the Blob in
//     the 'load' message by a marker that the worker resolves to the glue's text (passed in
//     workerData). The glue text is the self-contained wasm-out copy of the same Emscripten
//     output (the copy inside tfjs's node bundle refers to rollup's module-level variables).
//  3. The C++ side caps the thread pool at emscripten_num_logical_cores()/2, i.e.
//     os.cpus().length/2, which is 1 on a 2-core machine.
//     -> while the module initialises (its C++ static constructors read the core count) we make
//     os.cpus() report at least 2x the wanted threads, then restore it.
// The pool is capped at 8 threads by the C++ side, and Emscripten pre-spawns 8 workers anyway.
import { Worker as NodeWorker, type WorkerOptions } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';

/** The most threads the wasm backend's thread pool accepts (fixed in its C++ code). */
export const MAX_WASM_THREADS = 8;

const MAIN_SCRIPT_MARKER = 'alexnet-explorer:tfjs-wasm-threaded-simd-glue';

// Runs in each pthread worker: tfjs's worker script, then an importScripts that knows the glue.
const WORKER_BOOTSTRAP = `
const { workerData } = require('worker_threads');
(0, eval)(workerData.workerScript);
const readScriptFile = globalThis.importScripts;
globalThis.importScripts = (f) => f === workerData.marker ? (0, eval)(workerData.mainScript) : readScriptFile(f);
`;

let workerTexts: { workerScript: string; mainScript: string } | undefined;
function loadWorkerTexts(): { workerScript: string; mainScript: string } {
  if (!workerTexts) {
    // Plain require with literal paths: tsx resolves them in node_modules, esbuild inlines them.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { wasmWorkerContents } = require('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js') as { wasmWorkerContents: string };
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const glue = require('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js') as (...a: unknown[]) => unknown;
    // The worker text holds string literals with "\n" escapes that the template literal turned into
    // real newlines; escape them back (tfjs does the same before making its Blob).
    workerTexts = { workerScript: wasmWorkerContents.replace(/\n/g, '\\n'), mainScript: `var WasmBackendModuleThreadedSimd = ${glue.toString()};` };
  }
  return workerTexts;
}

/** A Node Worker that also accepts the blob: URL Emscripten gives for tfjs's pthread worker. */
class TfjsPthreadWorker extends NodeWorker {
  constructor(filename: string | URL, options?: WorkerOptions) {
    if (typeof filename === 'string' && filename.startsWith('blob:')) {
      const { workerScript, mainScript } = loadWorkerTexts();
      super(WORKER_BOOTSTRAP, { ...options, eval: true, workerData: { workerScript, mainScript, marker: MAIN_SCRIPT_MARKER } });
      this.isPthread = true;
      this.unref();
    } else {
      super(filename, options);
    }
  }
  private isPthread = false;
  // Emscripten ref()s a worker while it runs a pthread, and XNNPACK's pool threads run for ever,
  // so the process would never exit. Kernels wait for the pool synchronously (atomics), not via
  // the event loop, so the workers need not hold the process open.
  override ref(): void {
    if (!this.isPthread) super.ref();
  }
  override postMessage(value: unknown, transferList?: Parameters<NodeWorker['postMessage']>[1]): void {
    const msg = value as { cmd?: string; urlOrBlob?: unknown } | null;
    if (msg && msg.cmd === 'load' && typeof msg.urlOrBlob !== 'string') value = { ...msg, urlOrBlob: MAIN_SCRIPT_MARKER };
    super.postMessage(value, transferList);
  }
}

let workerHookInstalled = false;
function installWorkerHook(): void {
  if (workerHookInstalled) return;
  // Emscripten's Node path does `globalThis.Worker = require('worker_threads').Worker` and then
  // `new Worker(url)`: keep our subclass in place through that assignment.
  Object.defineProperty(globalThis, 'Worker', {
    configurable: true,
    enumerable: false,
    get: () => TfjsPthreadWorker,
    set: () => undefined,
  });
  workerHookInstalled = true;
}

/** Why wasm threads cannot run in this process, or undefined when they can. */
export function wasmThreadsUnsupportedReason(): string | undefined {
  if (typeof SharedArrayBuffer === 'undefined') return 'SharedArrayBuffer is not available';
  try {
    // A module with shared memory and an atomic load (wasm-feature-detect's threads test).
    const threadsModule = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 3, 2, 1, 0, 5, 4, 1, 3, 1, 1, 10, 11, 1, 9, 0, 65, 0, 254, 16, 2, 0, 26, 11]);
    if (!WebAssembly.validate(threadsModule)) return 'this WebAssembly engine has no threads/atomics';
  } catch (e) {
    return `WebAssembly threads check failed: ${(e as Error).message}`;
  }
  return undefined;
}

/**
 * Prepares tfjs-backend-wasm to start with `threads` threads. Call before tf.setBackend('wasm')
 * and call the returned function once that has settled (it restores os.cpus).
 * threads <= 1 selects the single-threaded SIMD build.
 */
export function prepareWasmThreads(threads: number): () => void {
  // Loaded here, not at import time, so that importing this file registers no backend.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { setThreadsCount } = require('@tensorflow/tfjs-backend-wasm') as typeof import('@tensorflow/tfjs-backend-wasm');
  const n = Math.max(1, Math.min(MAX_WASM_THREADS, Math.floor(threads)));
  if (n <= 1) {
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    setThreadsCount(1);
    return () => undefined;
  }
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
  setThreadsCount(n);
  installWorkerHook();
  // The real module object (an `import * as` namespace would be a copy): the glue calls require('os').cpus().
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const osModule = require('node:os') as { cpus: () => unknown[] };
  const realCpus = osModule.cpus;
  osModule.cpus = () => {
    const cpus = realCpus();
    const wanted = 2 * n;
    if (cpus.length >= wanted || cpus.length === 0) return cpus;
    return Array.from({ length: wanted }, (_, i) => cpus[i % cpus.length]);
  };
  return () => {
    osModule.cpus = realCpus;
  };
}
