import * as vscode from 'vscode';
import { EngineError, type RequestOptions } from './client';
import type { EngineStatus, Method, ModelStatus, ParamsOf, ResultOf, WeightsSource } from '../../protocol/engine';
import type { VariantName } from '../../protocol/engine/model';
export interface ModelRequest {
    variant: VariantName;
    weights: WeightsSource;
}
export declare class EngineHost implements vscode.Disposable {
    readonly log: vscode.LogOutputChannel;
    private readonly client;
    /**
     * Training gets an engine process of its own: the engine answers one request at a time,
     * and a run takes minutes to hours, during which classify and the views must still answer.
     */
    private readonly trainingClient;
    private wanted?;
    private loadedModel?;
    private engineStatus?;
    private readonly changed;
    /** Fires when the backend or the loaded model changes (the status bar listens). */
    readonly onDidChange: vscode.Event<void>;
    private readonly disposables;
    /** `env`: extra environment for the engine processes (e.g. ALEXNET_ONNX_CACHE_DIR) */
    constructor(enginePath: string, env?: NodeJS.ProcessEnv);
    get status(): EngineStatus | undefined;
    get model(): ModelStatus | undefined;
    get running(): boolean;
    /** Runs on every (re)start before queued requests: backend first, then the model it held. */
    private initialise;
    /** Loads the model unless the engine already holds exactly this one. */
    ensureModel(want: ModelRequest, options?: RequestOptions<'loadModel'>): Promise<ModelStatus>;
    /** Forgets the loaded model (e.g. weights changed on disk or in settings). */
    invalidateModel(): void;
    request<M extends Method>(method: M, params: ParamsOf<M>, options?: RequestOptions<M>): Promise<ResultOf<M>>;
    /** Requests of a training run (scan, train, resume) go to the training engine process. */
    trainingRequest<M extends Method>(method: M, params: ParamsOf<M>, options?: RequestOptions<M>): Promise<ResultOf<M>>;
    private showCrash;
    /** Stops the engine; the next request starts a new one with the current settings. */
    restart(reason: string): void;
    dispose(): void;
}
export { EngineError };
