// Errors with a protocol code (EngineError.code), so the host can tell bad input from a bug,
// and the cancellation helpers every long request uses. The engine, the handlers and the CLI
// share them; they sit here, not in handlers/, because the engine itself throws them.
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
