// Host side of the engine: starts the engine as a child Node process (as language
// clients do), sends typed requests, routes events, cancels, and restarts it on the
// next request after a crash. No `vscode` import: the extension and tests both use it.
import { fork, type ChildProcess } from 'node:child_process';
import type { EngineEventBody, EngineToHost, EventOf, Method, ParamsOf, RequestMessage, ResultOf } from '../../protocol/engine';

export interface EngineClientOptions {
  /** path of the bundled engine entry (dist/engine.js) */
  enginePath: string;
  /** extra environment for the engine */
  env?: NodeJS.ProcessEnv;
  /** node options for the engine, e.g. ['--max-old-space-size=4096'] */
  execArgv?: string[];
  /** engine-wide log lines (and stderr) */
  onLog?: (level: 'info' | 'warn' | 'error', message: string) => void;
  /** called after every (re)start, before queued requests run: re-send init/loadModel here */
  onStart?: (client: EngineClient) => Promise<void>;
  /** how long a cancelled request may take to stop before the engine is killed */
  cancelGraceMs?: number;
}

/** `M`: the request; onEvent gets only the events it declares (EventOf<M>). */
export interface RequestOptions<M extends Method = Method> {
  signal?: AbortSignal;
  onEvent?: (event: EventOf<M>) => void;
}

export class EngineError extends Error {
  constructor(message: string, readonly code: string) {
    super(message);
  }
}

interface Pending {
  resolve(value: unknown): void;
  reject(err: Error): void;
  onEvent?: (event: EngineEventBody) => void;
}

export class EngineClient {
  private child?: ChildProcess;
  private starting?: Promise<void>;
  private nextId = 1;
  private pending = new Map<number, Pending>();
  private inFlight = 0;
  private disposed = false;
  /** set when the last process died unexpectedly; shown in the next error */
  lastExit?: string;

  constructor(private readonly opts: EngineClientOptions) {}

  get running(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }
  get pid(): number | undefined {
    return this.child?.pid;
  }

  async request<M extends Method>(method: M, params: ParamsOf<M>, options: RequestOptions<M> = {}): Promise<ResultOf<M>> {
    if (this.disposed) throw new EngineError('The engine client was disposed', 'disposed');
    if (options.signal?.aborted) throw new EngineError('Cancelled', 'cancelled');
    this.inFlight++; // counted from the call, before the engine (re)starts and the request is sent
    try {
      await this.ensureStarted();
      return await this.send(method, params, options);
    } finally {
      this.inFlight--;
    }
  }

  /** Sends without waiting for onStart (used by onStart itself). */
  send<M extends Method>(method: M, params: ParamsOf<M>, options: RequestOptions<M> = {}): Promise<ResultOf<M>> {
    const child = this.child;
    if (!child || !this.running) return Promise.reject(new EngineError('The engine is not running', 'not-running'));
    const id = this.nextId++;
    return new Promise<ResultOf<M>>((resolve, reject) => {
      // The engine sends request `id` only the events its method declares.
      const onEvent = options.onEvent as Pending['onEvent'];
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, onEvent });
      const msg: RequestMessage<M> = { type: 'request', id, method, params };
      child.send(msg);
      options.signal?.addEventListener('abort', () => this.cancel(id, child), { once: true });
    });
  }

  private cancel(id: number, child: ChildProcess): void {
    if (!this.pending.has(id) || child !== this.child) return;
    child.send({ type: 'cancel', id });
    // A long synchronous kernel cannot see the cancel: kill the engine if it does not stop in time.
    const timer = setTimeout(() => {
      if (this.pending.has(id) && child === this.child) {
        this.opts.onLog?.('warn', `Request ${id} did not stop after cancel; restarting the engine`);
        this.killChild('cancelled');
      }
    }, this.opts.cancelGraceMs ?? 5000);
    timer.unref();
  }

  private ensureStarted(): Promise<void> {
    if (this.running) return this.starting ?? Promise.resolve();
    this.starting = this.start().finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  private async start(): Promise<void> {
    const child = fork(this.opts.enginePath, [], {
      // Under desktop VS Code process.execPath is Electron: run it as plain Node.
      env: { ...process.env, ...this.opts.env, ELECTRON_RUN_AS_NODE: '1' },
      execArgv: this.opts.execArgv ?? [],
      serialization: 'advanced',
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    this.child = child;
    child.stdout?.on('data', (d: Buffer) => this.opts.onLog?.('info', d.toString().trimEnd()));
    child.stderr?.on('data', (d: Buffer) => this.opts.onLog?.('warn', d.toString().trimEnd()));
    child.on('message', (msg: EngineToHost) => this.onMessage(msg));
    child.on('exit', (code, signal) => this.onExit(child, code, signal));
    child.on('error', (err) => this.opts.onLog?.('error', `engine process error: ${err.message}`));
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    if (this.opts.onStart) await this.opts.onStart(this);
  }

  private onMessage(msg: EngineToHost): void {
    if (msg.type === 'event') {
      if (msg.id === undefined) {
        if (msg.event.kind === 'log') this.opts.onLog?.(msg.event.level, msg.event.message);
        return;
      }
      this.pending.get(msg.id)?.onEvent?.(msg.event);
      return;
    }
    const p = this.pending.get(msg.id);
    if (!p) return;
    this.pending.delete(msg.id);
    if (msg.ok) p.resolve(msg.result);
    else p.reject(new EngineError(msg.error.message, msg.error.code));
  }

  private onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (child !== this.child) return;
    const how = signal ? `signal ${signal}` : `exit code ${code}`;
    const reason = (child as ChildProcess & { killReason?: string }).killReason;
    const cancelled = reason === 'cancelled';
    const idle = reason === 'idle';
    this.lastExit = how;
    this.child = undefined;
    const err = cancelled
      ? new EngineError('Cancelled', 'cancelled')
      : new EngineError(`The AlexNet engine stopped unexpectedly (${how}). It will be restarted on the next request; see "AlexNet: Show Engine Log".`, 'engine-crashed');
    for (const [, p] of this.pending) p.reject(err);
    this.pending.clear();
    if (idle) this.opts.onLog?.('info', 'engine stopped: idle');
    else if (!cancelled && !this.disposed) this.opts.onLog?.('error', `engine exited (${how})`);
  }

  private killChild(reason: string): void {
    const child = this.child;
    if (!child) return;
    (child as ChildProcess & { killReason?: string }).killReason = reason;
    child.kill('SIGKILL');
  }

  /** requests waiting for an answer (or for the engine to start) */
  get busy(): boolean {
    return this.inFlight > 0 || this.pending.size > 0 || !!this.starting;
  }

  /** Stops an idle engine to give its memory back (a later request starts a new one); false when busy. */
  stopIfIdle(): boolean {
    if (this.busy || !this.child) return false;
    this.killChild('idle');
    return true;
  }

  /** Stops the engine (a later request starts a new one). */
  restart(): void {
    this.killChild('restart');
  }

  dispose(): void {
    this.disposed = true;
    this.killChild('dispose');
  }
}
