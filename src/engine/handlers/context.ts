// What a request handler gets besides its params: a cancellation signal and a way to
// send events (progress, metrics) that belong to this request.
import type { EngineEventBody, Method, ParamsOf, ResultOf } from '../../protocol/engine';

export interface RequestContext {
  signal: AbortSignal;
  emit(event: EngineEventBody): void;
  progress(done: number, total?: number, message?: string): void;
}

export type Handler<M extends Method> = (params: ParamsOf<M>, ctx: RequestContext) => Promise<ResultOf<M>>;
export type Handlers = { [M in Method]: Handler<M> };

// The failures live in ../failures.ts (the engine throws them too); re-exported for handlers.
export { EngineFailure, CancelledError, throwIfCancelled, yieldToEventLoop } from '../failures';
