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

/** An error with a protocol code, so the host can tell bad input from a bug. */
export class EngineFailure extends Error {
  constructor(message: string, readonly code: string) {
    super(message);
  }
}

export class CancelledError extends EngineFailure {
  constructor(message = 'Cancelled') {
    super(message, 'cancelled');
  }
}

/** Throws CancelledError if the request was cancelled; call between units of work. */
export function throwIfCancelled(signal: AbortSignal): void {
  if (signal.aborted) throw new CancelledError();
}

/** Lets the event loop breathe so a 'cancel' message can arrive between heavy steps. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
