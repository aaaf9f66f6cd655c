import type { EventOf, Method, ParamsOf, ResultOf } from '../../protocol/engine';
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
export declare class EngineError extends Error {
    readonly code: string;
    constructor(message: string, code: string);
}
export declare class EngineClient {
    private readonly opts;
    private child?;
    private starting?;
    private nextId;
    private pending;
    private disposed;
    /** set when the last process died unexpectedly; shown in the next error */
    lastExit?: string;
    constructor(opts: EngineClientOptions);
    get running(): boolean;
    get pid(): number | undefined;
    request<M extends Method>(method: M, params: ParamsOf<M>, options?: RequestOptions<M>): Promise<ResultOf<M>>;
    /** Sends without waiting for onStart (used by onStart itself). */
    send<M extends Method>(method: M, params: ParamsOf<M>, options?: RequestOptions<M>): Promise<ResultOf<M>>;
    private cancel;
    private ensureStarted;
    private start;
    private onMessage;
    private onExit;
    private killChild;
    /** Stops the engine (a later request starts a new one). */
    restart(): void;
    dispose(): void;
}
