// The start of every page: the VS Code API (once per page), the #app root, typed messages both
// ways and the saved state, all typed by the view's protocol (src/protocol/webview/<view>.ts).
// Import '../shared/litNonce' before this and the vscode-elements components.
import type { WebviewProtocol } from '../../protocol/webview/protocol';
import { h } from './dom';
import { onHostMessage, vscodeApi, type WebviewApi } from './vscodeApi';

export type StatusKind = 'busy' | 'done' | 'error';

export interface WebviewPage<P extends WebviewProtocol> {
  /** post / getState / setState, typed */
  api: WebviewApi<P['toHost'], P['state']>;
  /** the page's root element (<div id="app"> from the host's HTML) */
  app: HTMLElement;
  /** Calls `handler` with each message the host posts. */
  onMessage(handler: (message: P['toPage']) => void): void;
  /** The status line (#status, put first in #app when missing): a live region, an alert for errors. */
  setStatus(kind: StatusKind, text: string): void;
}

export function bootWebview<P extends WebviewProtocol>(): WebviewPage<P> {
  const api = vscodeApi<P['toHost'], P['state']>();
  const app = document.getElementById('app') ?? document.body.appendChild(h('div', { id: 'app' }));
  return {
    api,
    app,
    onMessage: (handler) => onHostMessage<P['toPage']>(handler),
    setStatus(kind, text) {
      let el = document.getElementById('status');
      if (!el) {
        el = h('p', { id: 'status', class: 'status' });
        app.prepend(el);
      }
      el.dataset.state = kind;
      el.textContent = text;
      el.setAttribute('role', kind === 'error' ? 'alert' : 'status');
    },
  };
}
