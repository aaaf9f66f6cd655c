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
export declare function extensionResourceRoots(extensionUri: vscode.Uri): vscode.Uri[];
export declare function webviewHtml(webview: vscode.Webview, extensionUri: vscode.Uri, page: WebviewPage): string;
export declare function escapeHtml(text: string): string;
