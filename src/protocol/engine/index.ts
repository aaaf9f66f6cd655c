// The typed protocol between the extension host and the engine child process.
// Messages travel over Node's IPC channel with 'advanced' serialization, so typed
// arrays (activations, filters) cross as binary, not JSON.
//
// Each feature declares its requests in its own file; EngineRequests joins them.
import type { CoreRequests } from './core';
import type { TrainRequests } from './train';
import type { InspectRequests } from './inspect';
import type { ProjectRequests } from './project';

export * from './core';
export * from './train';
export * from './inspect';
export * from './project';

export type EngineRequests = CoreRequests & TrainRequests & InspectRequests & ProjectRequests;
export type Method = keyof EngineRequests;
export type ParamsOf<M extends Method> = EngineRequests[M]['params'];
export type ResultOf<M extends Method> = EngineRequests[M]['result'];

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

/** Progress of the request `id`: done/total units, with a human message. */
export interface ProgressEvent {
  kind: 'progress';
  done: number;
  total?: number;
  message?: string;
}
export interface LogEvent {
  kind: 'log';
  level: 'info' | 'warn' | 'error';
  message: string;
}
/** Feature events (training metrics...) carry their own kind; see train.ts / inspect.ts. */
export interface FeatureEvent {
  kind: string;
  [key: string]: unknown;
}
export type EngineEventBody = ProgressEvent | LogEvent | FeatureEvent;
export interface EventMessage {
  type: 'event';
  /** the request this event belongs to; absent for engine-wide events (logs) */
  id?: number;
  event: EngineEventBody;
}
export type EngineToHost = ResponseMessage | EventMessage;
