// The typed protocol between the extension host and the engine child process.
// Messages travel over Node's IPC channel with 'advanced' serialization, so typed
// arrays (activations, filters) cross as binary, not JSON.
//
// Each feature declares its requests in its own file, each as { params, result, event };
// EngineRequests joins them. The event type is per request, so a caller's onEvent sees only
// what that request sends.
import type { CoreRequests } from './core';
import type { TrainRequests } from './train';
import type { InspectRequests } from './inspect';
import type { ProjectRequests } from './project';
import type { LogEvent } from './events';
import type { ModelFileRequests } from './modelFiles';

export * from './events';
export * from './model';
export * from './backend';
export * from './doctor';
export * from './device';
export * from './core';
export * from './train';
export * from './inspect';
export * from './project';
export * from './modelFiles';

export type EngineRequests = CoreRequests & TrainRequests & InspectRequests & ModelFileRequests & ProjectRequests;
export type Method = keyof EngineRequests;
export type ParamsOf<M extends Method> = EngineRequests[M]['params'];
export type ResultOf<M extends Method> = EngineRequests[M]['result'];
/** The events a request sends while it runs (never: none); each feature file declares them. */
export type EventOf<M extends Method> = EngineRequests[M]['event'];

export interface RequestMessage<M extends Method = Method> {
  type: 'request';
  id: number;
  method: M;
  params: ParamsOf<M>;
}
export interface CancelMessage {
  type: 'cancel';
  id: number;
}
export type HostToEngine = RequestMessage | CancelMessage;

export interface EngineError {
  message: string;
  /** 'cancelled', 'bad-input', 'bad-weights', 'no-model', 'internal', ... */
  code: string;
}

export type ResponseMessage =
  | { type: 'response'; id: number; ok: true; result: unknown }
  | { type: 'response'; id: number; ok: false; error: EngineError };

/** Every event the engine sends: each request's own (see EventOf) and engine-wide logs. */
export type EngineEventBody = EventOf<Method> | LogEvent;
export interface EventMessage {
  type: 'event';
  /** the request this event belongs to; absent for engine-wide events (logs) */
  id?: number;
  event: EngineEventBody;
}
export type EngineToHost = ResponseMessage | EventMessage;
