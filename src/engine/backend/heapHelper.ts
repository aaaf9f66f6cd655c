// A second thread for elementwise loops over the wasm heap (the momentum-SGD update): wasm's
// memory is a SharedArrayBuffer when threads are on, so a worker can update half of a tensor while
// the engine's thread does the other half. XNNPACK's threads are idle during the update, so on two
// cores this halves its ~0.3 s per step (fc6-fc8). Synchronous: Atomics.wait, no event loop turn.
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { availableParallelism } from 'node:os';

/** Below this many elements the handshake costs more than it saves. */
export const PARALLEL_MIN = 1 << 20;

const IDLE = 0;
const WORK = 1;
const DONE = 2;
const NEW_HEAP = 3;

// One half of the update: v' = m v - d w - lr g; w' = w + v' over [start, end) of each array.
const WORKER_SOURCE = `
const { workerData, receiveMessageOnPort } = require('node:worker_threads');
const { ctrl, args, port } = workerData;
let heap;
for (;;) {
  Atomics.wait(ctrl, 0, ${IDLE});
  const state = Atomics.load(ctrl, 0);
  if (state === ${NEW_HEAP}) {
    heap = receiveMessageOnPort(port).message;
    Atomics.store(ctrl, 0, ${IDLE});
    Atomics.notify(ctrl, 0);
  } else if (state === ${WORK}) {
    const [w, v, g, w2, v2, start, end, m, d, lr] = args;
    const W = new Float32Array(heap, w, end), V = new Float32Array(heap, v, end), G = new Float32Array(heap, g, end);
    const W2 = new Float32Array(heap, w2, end), V2 = new Float32Array(heap, v2, end);
    for (let i = start; i < end; i++) {
      const vn = m * V[i] - d * W[i] - lr * G[i];
      V2[i] = vn;
      W2[i] = W[i] + vn;
    }
    Atomics.store(ctrl, 0, ${DONE});
    Atomics.notify(ctrl, 0);
  }
}
`;

interface Helper {
  worker: Worker;
  ctrl: Int32Array;
  /** byte offsets of w, v, g, w', v' in the heap, then start, end, momentum, decay, lr */
  args: Float64Array;
  port: MessagePort;
  heap?: SharedArrayBuffer;
}

let helper: Helper | null | undefined;

function getHelper(): Helper | null {
  if (helper !== undefined) return helper;
  helper = null;
  if (availableParallelism() < 2) return helper;
  try {
    const ctrl = new Int32Array(new SharedArrayBuffer(4));
    const args = new Float64Array(new SharedArrayBuffer(10 * 8));
    const { port1, port2 } = new MessageChannel();
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { ctrl, args, port: port2 }, transferList: [port2] });
    worker.unref(); // never keeps the engine alive
    worker.on('error', () => (helper = null));
    helper = { worker, ctrl, args, port: port1 };
  } catch {
    helper = null;
  }
  return helper;
}

/** Waits (blocking) until the worker leaves `state`; false if it has not after a minute (it died). */
function waitWhile(h: Helper, state: number): boolean {
  const deadline = Date.now() + 60_000;
  while (Atomics.load(h.ctrl, 0) === state) {
    if (Date.now() > deadline) {
      helper = null; // do the work here from now on
      void h.worker.terminate();
      return false;
    }
    Atomics.wait(h.ctrl, 0, state, 1000);
  }
  return true;
}

export interface MomentumArrays {
  heap: ArrayBufferLike;
  /** byte offsets in the heap */
  w: number;
  v: number;
  g: number;
  w2: number;
  v2: number;
  n: number;
}

/**
 * The momentum update over n elements at the given heap offsets; the second half on the helper
 * thread when the heap is shared and n is large, else all here. Same arithmetic either way.
 */
export function momentumUpdate(a: MomentumArrays, m: number, d: number, lr: number): void {
  let h = a.n >= PARALLEL_MIN && a.heap instanceof SharedArrayBuffer ? getHelper() : null;
  if (h && h.heap !== a.heap) {
    // first use, or the heap grew (a new SharedArrayBuffer over the same memory): hand it over
    h.port.postMessage(a.heap);
    Atomics.store(h.ctrl, 0, NEW_HEAP);
    Atomics.notify(h.ctrl, 0);
    if (waitWhile(h, NEW_HEAP)) h.heap = a.heap as SharedArrayBuffer;
    else h = null;
  }
  const mid = h ? a.n >>> 1 : a.n;
  if (h) {
    h.args.set([a.w, a.v, a.g, a.w2, a.v2, mid, a.n, m, d, lr]);
    Atomics.store(h.ctrl, 0, WORK);
    Atomics.notify(h.ctrl, 0);
  }
  updateRange(a, 0, mid, m, d, lr);
  if (h) {
    if (waitWhile(h, WORK)) Atomics.store(h.ctrl, 0, IDLE);
    else updateRange(a, mid, a.n, m, d, lr); // the helper died: its half here (same values)
  }
}

function updateRange(a: MomentumArrays, start: number, end: number, m: number, d: number, lr: number): void {
  const W = new Float32Array(a.heap, a.w, end);
  const V = new Float32Array(a.heap, a.v, end);
  const G = new Float32Array(a.heap, a.g, end);
  const W2 = new Float32Array(a.heap, a.w2, end);
  const V2 = new Float32Array(a.heap, a.v2, end);
  for (let i = start; i < end; i++) {
    const vn = m * V[i] - d * W[i] - lr * G[i];
    V2[i] = vn;
    W2[i] = W[i] + vn;
  }
}
