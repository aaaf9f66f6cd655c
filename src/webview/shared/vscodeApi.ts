// Typed wrapper around acquireVsCodeApi (which may be called only once per webview).
interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

export interface WebviewApi<ToHost, State> {
  post(message: ToHost): void;
  getState(): State | undefined;
  setState(state: State): void;
}

let api: VsCodeApi | undefined;

export function vscodeApi<ToHost, State>(): WebviewApi<ToHost, State> {
  api ??= acquireVsCodeApi();
  const a = api;
  return {
    post: (message) => a.postMessage(message),
    getState: () => (a.getState() as State | undefined) ?? undefined,
    setState: (state) => a.setState(state),
  };
}

/** Calls `handler` with each message the host posts (typed by the panel's protocol). */
export function onHostMessage<FromHost>(handler: (message: FromHost) => void): void {
  window.addEventListener('message', (e: MessageEvent) => handler(e.data as FromHost));
}
