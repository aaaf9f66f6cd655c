// Entry point of the engine child process (started by EngineClient with an IPC channel).
// Requests run one after another except 'cancel', which is handled at once.
import type { EngineToHost, HostToEngine, Method } from '../protocol/engine';
import type { Handler, Handlers, RequestContext } from './handlers/context';
import { EngineFailure } from './failures';
import { createHandlers } from './handlers';
import { Engine, engineOptionsFromEnv } from './engine';

const handlers: Handlers = createHandlers(new Engine(engineOptionsFromEnv()));
const controllers = new Map<number, AbortController>();
let queue: Promise<void> = Promise.resolve();

function send(msg: EngineToHost): void {
  if (process.send && process.connected) process.send(msg);
}

// Logs go to the host's output channel rather than a console nobody sees.
for (const level of ['log', 'info', 'warn', 'error'] as const) {
  console[level] = (...args: unknown[]) =>
    send({ type: 'event', event: { kind: 'log', level: level === 'log' ? 'info' : level, message: args.map(String).join(' ') } });
}

process.on('message', (msg: HostToEngine) => {
  if (msg.type === 'cancel') {
    controllers.get(msg.id)?.abort();
    return;
  }
  if (msg.type !== 'request') return;
  const controller = new AbortController();
  controllers.set(msg.id, controller);
  const ctx: RequestContext = {
    signal: controller.signal,
    emit: (event) => send({ type: 'event', id: msg.id, event }),
    progress: (done, total, message) => send({ type: 'event', id: msg.id, event: { kind: 'progress', done, total, message } }),
  };
  // Cancelled while queued: answer without running.
  queue = queue.then(async () => {
    try {
      if (controller.signal.aborted) throw new EngineFailure('Cancelled', 'cancelled');
      const handler = handlers[msg.method as Method] as Handler<Method> | undefined;
      if (!handler) throw new EngineFailure(`Unknown request '${msg.method}'`, 'unknown-method');
      const result = await handler(msg.params as never, ctx);
      send({ type: 'response', id: msg.id, ok: true, result });
    } catch (err) {
      const code = err instanceof EngineFailure ? err.code : 'internal';
      const message = err instanceof Error ? err.message : String(err);
      if (code === 'internal' && err instanceof Error && err.stack) console.error(err.stack);
      send({ type: 'response', id: msg.id, ok: false, error: { message, code } });
    } finally {
      controllers.delete(msg.id);
    }
  });
});

// The host went away (VS Code closed or crashed): nothing left to serve.
process.on('disconnect', () => process.exit(0));
