// What a request handler gets besides its params: a cancellation signal and a way to
// send events (progress, metrics) that belong to this request.
import type { EventOf, Method, ParamsOf, ResultOf } from '../../protocol/engine';

/** `M`: the request, whose declared events are all that emit() takes. */
export interface RequestContext<M extends Method = Method> {
  signal: AbortSignal;
  emit(event: EventOf<M>): void;
  /** emit({ kind: 'progress', ... }) for the requests that declare progress */
  progress(done: number, total?: number, message?: string): void;
}

export type Handler<M extends Method> = (params: ParamsOf<M>, ctx: RequestContext<M>) => Promise<ResultOf<M>>;
export type Handlers = { [M in Method]: Handler<M> };

// The failures live in ../failures.ts (the engine throws them too); re-exported for handlers.
export { EngineFailure, CancelledError, throwIfCancelled, yieldToEventLoop } from '../failures';
