// The engine's lifetime for this window: one EngineClient (a child Node process), its log
// channel, and the model it should hold. After a crash or a backend change the client starts
// a fresh process on the next request and onStart puts it back in the same state.
import * as vscode from 'vscode';
import { EngineClient, EngineError, type RequestOptions } from './client';
import type { EngineStatus, Method, ModelStatus, ParamsOf, ResultOf, WeightsSource } from '../../protocol/engine';
import type { VariantName } from '../../protocol/engine/model';
import * as config from '../settings/configuration';
import { TRAINING_MALLOC_ENV } from '../../engine/train/mallocEnv';

export interface ModelRequest {
  variant: VariantName;
  weights: WeightsSource;
}

function sameModel(a: ModelRequest | undefined, b: ModelRequest): boolean {
  return !!a && a.variant === b.variant && JSON.stringify(a.weights) === JSON.stringify(b.weights);
}

/** How long the training engine stays after its last request (a scan then the form then a run: reuse it). */
export const TRAINING_IDLE_MS = 30_000;

export class EngineHost implements vscode.Disposable {
  readonly log: vscode.LogOutputChannel;
  private readonly client: EngineClient;
  /**
   * Training gets an engine process of its own: the engine answers one request at a time,
   * and a run takes minutes to hours, during which classify and the views must still answer.
   */
  private readonly trainingClient: EngineClient;
  private wanted?: ModelRequest;
  private trainingIdle?: ReturnType<typeof setTimeout>;
  private loadedModel?: ModelStatus;
  private engineStatus?: EngineStatus;
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires when the backend or the loaded model changes (the status bar listens). */
  readonly onDidChange = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [];

  /** `env`: extra environment for the engine processes (e.g. ALEXNET_ONNX_CACHE_DIR) */
  constructor(enginePath: string, env?: NodeJS.ProcessEnv) {
    this.log = vscode.window.createOutputChannel('AlexNet Engine', { log: true });
    this.client = new EngineClient({
      enginePath,
      env,
      onLog: (level, message) => {
        if (level === 'error') this.log.error(message);
        else if (level === 'warn') this.log.warn(message);
        else this.log.info(message);
      },
      onStart: (client) => this.initialise(client),
    });
    this.trainingClient = new EngineClient({
      enginePath,
      // a training process keeps big temporaries on the heap (mallocEnv.ts); it exits after its run
      env: { ...TRAINING_MALLOC_ENV, ...env },
      onLog: (level, message) => {
        const line = `[training] ${message}`;
        if (level === 'error') this.log.error(line);
        else if (level === 'warn') this.log.warn(line);
        else this.log.info(line);
      },
      onStart: async (client) => {
        const threads = config.engineThreads();
        this.log.info(`training engine started (pid ${client.pid})`);
        await client.send('init', { backend: config.backend(), device: config.device(), ...(threads && { threads }) });
      },
    });
    this.disposables.push(
      this.log,
      this.changed,
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (config.affects(e, 'backend', 'device', 'engine.threads')) this.restart('settings changed');
      }),
    );
  }

  get status(): EngineStatus | undefined {
    return this.engineStatus;
  }
  get model(): ModelStatus | undefined {
    return this.loadedModel;
  }
  get running(): boolean {
    return this.client.running;
  }

  /** Runs on every (re)start before queued requests: backend first, then the model it held. */
  private async initialise(client: EngineClient): Promise<void> {
    const threads = config.engineThreads();
    this.log.info(`engine started (pid ${client.pid}); backend setting '${config.backend()}'${threads ? `, ${threads} threads` : ''}`);
    this.engineStatus = await client.send('init', { backend: config.backend(), device: config.device(), ...(threads && { threads }) });
    this.loadedModel = undefined;
    // the device choice (a GPU self-test takes seconds) comes later: the status bar updates then
    const status = this.engineStatus;
    void client.send('devices', {}).then(
      (device) => {
        if (this.engineStatus !== status) return;
        this.engineStatus = { ...status, device };
        this.log.info(`ONNX Runtime device: ${device.label} (setting '${device.preference}')${device.skipped.map((s) => `; ${s.id} skipped: ${s.reason}`).join('')}`);
        this.changed.fire();
      },
      (err: unknown) => this.log.warn(`device choice failed: ${(err as Error).message}`),
    );
    if (this.wanted) {
      try {
        this.loadedModel = await client.send('loadModel', this.wanted);
      } catch (err) {
        // The request that follows reloads it and reports the error where the user looks.
        this.log.warn(`could not reload the model after a restart: ${(err as Error).message}`);
        this.wanted = undefined;
      }
    }
    this.changed.fire();
  }

  /** Loads the model unless the engine already holds exactly this one. */
  async ensureModel(want: ModelRequest, options: RequestOptions<'loadModel'> = {}): Promise<ModelStatus> {
    if (this.loadedModel && sameModel(this.wanted, want) && this.client.running) return this.loadedModel;
    const status = await this.request('loadModel', want, options);
    this.wanted = want;
    this.loadedModel = status;
    this.changed.fire();
    return status;
  }

  /** Forgets the loaded model (e.g. weights changed on disk or in settings). */
  invalidateModel(): void {
    this.wanted = undefined;
    this.loadedModel = undefined;
    this.changed.fire();
  }

  async request<M extends Method>(method: M, params: ParamsOf<M>, options: RequestOptions<M> = {}): Promise<ResultOf<M>> {
    try {
      return await this.client.request(method, params, options);
    } catch (err) {
      if (err instanceof EngineError && (err.code === 'engine-crashed' || err.code === 'not-running')) {
        this.engineStatus = undefined;
        this.loadedModel = undefined;
        this.changed.fire();
        void this.showCrash(err.message);
      }
      throw err;
    }
  }

  /** Requests of a training run (scan, train, resume) go to the training engine process. */
  async trainingRequest<M extends Method>(method: M, params: ParamsOf<M>, options: RequestOptions<M> = {}): Promise<ResultOf<M>> {
    clearTimeout(this.trainingIdle);
    try {
      return await this.trainingClient.request(method, params, options);
    } catch (err) {
      if (err instanceof EngineError && err.code === 'engine-crashed') void this.showCrash(err.message);
      throw err;
    } finally {
      // A run's engine holds its weights, caches and wasm heap (GBs): it exits soon after the last request.
      clearTimeout(this.trainingIdle);
      this.trainingIdle = setTimeout(() => {
        if (this.trainingClient.stopIfIdle()) this.log.info(`training engine stopped after ${TRAINING_IDLE_MS / 1000} s idle`);
      }, TRAINING_IDLE_MS);
    }
  }

  private async showCrash(message: string): Promise<void> {
    const choice = await vscode.window.showErrorMessage(message, 'Show Log');
    if (choice === 'Show Log') this.log.show(true);
  }

  /** Stops the engine; the next request starts a new one with the current settings. */
  restart(reason: string): void {
    if (!this.client.running) return;
    this.log.info(`restarting the engine: ${reason}`);
    this.client.restart();
    this.engineStatus = undefined;
    this.loadedModel = undefined;
    this.changed.fire();
  }

  dispose(): void {
    clearTimeout(this.trainingIdle);
    this.client.dispose();
    this.trainingClient.dispose();
    for (const d of this.disposables) d.dispose();
  }
}

export { EngineError };
