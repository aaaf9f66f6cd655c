// The base of the panels that are open once at a time (classify, architecture, filters, feature
// maps) or once per key (a training run per run folder): the page's HTML, typed messages both
// ways, and disposal. Subclasses keep their own state and answer onMessage.
import * as vscode from 'vscode';
import type { WebviewProtocol } from '../../protocol/webview/protocol';
import { extensionResourceRoots, webviewHtml, type WebviewPage } from './webviewHtml';

/** The open panels of one kind, by key ('' for the one-at-a-time panels). */
export class OpenPanels<T extends SingletonPanel<WebviewProtocol>> {
  private readonly byKey = new Map<string, T>();

  get(key = ''): T | undefined {
    return this.byKey.get(key);
  }
  /** Makes `panel` the one for `key`, disposing the one it replaces (a panel restored after a reload). */
  set(panel: T, key = ''): T {
    const old = this.byKey.get(key);
    if (old && old !== panel) old.dispose();
    this.byKey.set(key, panel);
    return panel;
  }
  delete(panel: T): void {
    for (const [key, p] of this.byKey) if (p === panel) this.byKey.delete(key);
  }
}

export abstract class SingletonPanel<P extends WebviewProtocol> implements vscode.Disposable {
  protected readonly disposables: vscode.Disposable[] = [];
  private disposed = false;

  /** `open`: where this kind of panel is registered; the panel leaves it when disposed. */
  protected constructor(
    protected readonly panel: vscode.WebviewPanel,
    protected readonly extensionUri: vscode.Uri,
    private readonly open: OpenPanels<SingletonPanel<P>>,
    key = '',
  ) {
    open.set(this, key);
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((m: P['toHost']) => void this.onMessage(m)),
    );
  }

  /** What the page sends (its 'ready' first, then the user's actions). */
  protected abstract onMessage(message: P['toHost']): void | Promise<void>;

  protected post(message: P['toPage']): void {
    void this.panel.webview.postMessage(message);
  }

  /** Loads the page: scripts on, resources from dist/ and media/ plus `roots` (e.g. the user's image folders). */
  protected setPage(page: WebviewPage, roots: readonly vscode.Uri[] = []): void {
    const webview = this.panel.webview;
    webview.options = { enableScripts: true, localResourceRoots: [...extensionResourceRoots(this.extensionUri), ...roots] };
    webview.html = webviewHtml(webview, this.extensionUri, page);
  }

  reveal(preserveFocus = false): void {
    this.panel.reveal(undefined, preserveFocus);
  }

  /** Subclasses that hold requests override this to cancel them, then call super.dispose(). */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.open.delete(this);
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
  }
}
