// The HTML page every panel starts from: a strict Content-Security-Policy with a per-load nonce,
// the codicon font, the panel's stylesheet from media/ and its bundle from dist/webview/.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';

export interface WebviewPage {
  /** the webview's folder under src/webview/ (bundle dist/webview/<name>.js) */
  script: string;
  title: string;
  /** stylesheets under media/ */
  styles?: string[];
  /** markup inside <body> before the script; the root element is usually <div id="app"> */
  body?: string;
}

/** Folders a panel must be allowed to load from (add the user's image folders to these). */
export function extensionResourceRoots(extensionUri: vscode.Uri): vscode.Uri[] {
  return [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')];
}

export function webviewHtml(webview: vscode.Webview, extensionUri: vscode.Uri, page: WebviewPage): string {
  const nonce = randomBytes(16).toString('base64');
  const uri = (...parts: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, ...parts)).toString();
  const csp = [
    "default-src 'none'",
    `img-src ${webview.cspSource} data: blob:`,
    `style-src ${webview.cspSource} 'nonce-${nonce}'`,
    `script-src 'nonce-${nonce}'`,
    `font-src ${webview.cspSource}`,
  ].join('; ');
  const styles = (page.styles ?? []).map((s) => `<link rel="stylesheet" href="${uri('media', s)}" nonce="${nonce}">`).join('\n    ');
  return `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="UTF-8">
    <meta http-equiv="Content-Security-Policy" content="${csp}">
    <meta name="viewport" content="width=device-width, initial-scale=1.0">
    <title>${escapeHtml(page.title)}</title>
    <link rel="stylesheet" href="${uri('dist', 'codicons', 'codicon.css')}" id="vscode-codicon-stylesheet" nonce="${nonce}">
    ${styles}
  </head>
  <body>
    ${page.body ?? '<div id="app"></div>'}
    <script nonce="${nonce}" src="${uri('dist', 'webview', `${page.script}.js`)}"></script>
  </body>
</html>`;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
