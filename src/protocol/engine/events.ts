// The events every request may use: progress (done/total units, with a human message) and log
// lines. Feature events (training metrics, synthesis previews) sit with their requests.

/** Progress of the request it belongs to. */
export interface ProgressEvent {
  kind: 'progress';
  done: number;
  total?: number;
  message?: string;
}

/** A log line: engine-wide (no request id) or a warning about one request. */
export interface LogEvent {
  kind: 'log';
  level: 'info' | 'warn' | 'error';
  message: string;
}
