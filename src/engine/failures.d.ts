export declare class EngineFailure extends Error {
    readonly code: string;
    constructor(message: string, code: string);
}
export declare class CancelledError extends EngineFailure {
    constructor(message?: string);
}
/** Throws CancelledError if the request was cancelled; call between units of work. */
export declare function throwIfCancelled(signal: AbortSignal): void;
/** Lets the event loop breathe so a 'cancel' message can arrive between heavy steps. */
export declare function yieldToEventLoop(): Promise<void>;
