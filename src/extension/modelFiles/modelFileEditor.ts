// The weights-file viewer: a read-only custom editor for *.pth, *.safetensors, *.npy and *.onnx
// (package.json `customEditors`, priority "default": a click in the Explorer opens it; "Open
// With..." goes back to the text/binary editor). The engine reads the file with its safe loaders
// and computes every tensor's statistics with progress; this side only shows them and runs the actions.
import * as vscode from 'vscode';
import { basename } from 'node:path';
import type { EngineHost } from '../engine/engineHost';
import type { ModelFileReport } from '../../protocol/engine/modelFiles';
import type { HostToWebview, ModelFileAction, WebviewToHost } from '../../protocol/webview/modelFile';
import { extensionResourceRoots, webviewHtml } from '../webviews/webviewHtml';
import { compareWith, exportModelCommand, useWeights } from './modelFileActions';

export const MODEL_FILE_VIEW_TYPE = 'alexnet.modelFile';

class ModelFileDocument implements vscode.CustomDocument {
  report?: ModelFileReport;
  constructor(readonly uri: vscode.Uri) {}
  dispose(): void {}
}

export class ModelFileEditorProvider implements vscode.CustomReadonlyEditorProvider<ModelFileDocument> {
  constructor(private readonly extensionUri: vscode.Uri, private readonly engine: EngineHost) {}

  static register(extensionUri: vscode.Uri, engine: EngineHost): vscode.Disposable {
    return vscode.window.registerCustomEditorProvider(MODEL_FILE_VIEW_TYPE, new ModelFileEditorProvider(extensionUri, engine), {
      supportsMultipleEditorsPerDocument: true,
      webviewOptions: { retainContextWhenHidden: true },
    });
  }

  openCustomDocument(uri: vscode.Uri): ModelFileDocument {
    return new ModelFileDocument(uri);
  }

  resolveCustomEditor(document: ModelFileDocument, panel: vscode.WebviewPanel): void {
    panel.webview.options = { enableScripts: true, localResourceRoots: extensionResourceRoots(this.extensionUri) };
    panel.webview.html = webviewHtml(panel.webview, this.extensionUri, { script: 'modelFile', title: basename(document.uri.fsPath), styles: ['modelFile.css', 'architecture.css'] });
    const post = (m: HostToWebview) => void panel.webview.postMessage(m);
    const abort = new AbortController();
    const subs = [
      panel.onDidDispose(() => {
        abort.abort();
        for (const s of subs) s.dispose();
      }),
      panel.webview.onDidReceiveMessage((m: WebviewToHost) => void this.onMessage(m, document, post, abort.signal)),
    ];
  }

  private async onMessage(m: WebviewToHost, doc: ModelFileDocument, post: (m: HostToWebview) => void, signal: AbortSignal): Promise<void> {
    if (m.type === 'ready') {
      try {
        doc.report ??= await this.engine.request('inspectModelFile', { path: doc.uri.fsPath }, {
          signal,
          onEvent: (e) => {
            post({ type: 'progress', done: e.done, total: e.total, message: e.message });
          },
        });
        post({ type: 'report', report: doc.report, fileName: basename(doc.uri.fsPath) });
      } catch (err) {
        if ((err as { code?: string }).code !== 'cancelled') post({ type: 'error', message: (err as Error).message });
      }
      return;
    }
    await this.runAction(m.action, doc, post);
  }

  private async runAction(action: ModelFileAction, doc: ModelFileDocument, post: (m: HostToWebview) => void): Promise<void> {
    try {
      switch (action) {
        case 'useWeights':
          if (doc.report?.alexnet) await useWeights(this.engine, doc.uri, doc.report.alexnet.variant);
          return;
        case 'classify': {
          if (!doc.report?.alexnet) return;
          const picked = await vscode.window.showOpenDialog({
            title: `Classify an image with ${basename(doc.uri.fsPath)}`,
            canSelectMany: false,
            filters: { Images: ['jpg', 'jpeg', 'png', 'webp', 'gif', 'bmp', 'tif', 'tiff'] },
          });
          if (!picked?.[0]) return;
          if (await useWeights(this.engine, doc.uri, doc.report.alexnet.variant)) await vscode.commands.executeCommand('alexnet.classifyImage', picked[0]);
          return;
        }
        case 'compare': {
          const r = await compareWith(this.engine, doc.uri, (done, total, message) => post({ type: 'progress', done, total, message }));
          if (r) post({ type: 'comparison', comparison: r.comparison, otherName: r.otherName });
          return;
        }
        case 'export':
          await exportModelCommand(this.engine, doc.uri);
          return;
      }
    } catch (err) {
      post({ type: 'error', message: (err as Error).message });
    }
  }
}
