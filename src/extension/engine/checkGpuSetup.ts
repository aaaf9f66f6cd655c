// "AlexNet: Check GPU Setup": runs the engine's setup check (ONNX Runtime and every device it
// could use, each GPU device self-tested; the NVIDIA driver; the optional tfjs backends) and
// shows it in a read-only webview with theme icons (codicons), the summary first and what to do
// below it. One panel, refreshed on each run.
import * as vscode from 'vscode';
import type { EngineHost } from './engineHost';
import type { CheckStatus, DoctorReport } from '../../protocol/engine/doctor';
import { escapeHtml } from '../webviews/webviewHtml';
import { randomBytes } from 'node:crypto';

const ICONS: Record<CheckStatus, { icon: string; label: string }> = {
  ok: { icon: 'pass', label: 'ok' },
  missing: { icon: 'error', label: 'missing' },
  warn: { icon: 'warning', label: 'warning' },
  info: { icon: 'info', label: 'information' },
};

let panel: vscode.WebviewPanel | undefined;

/** The page (exported for tests): no script, only the codicon font and inline styles. */
export function gpuSetupHtml(report: DoctorReport, opts: { cspSource: string; codiconCss: string; nonce: string }): string {
  const { cspSource, codiconCss, nonce } = opts;
  const rows = report.checks
    .map((c) => {
      const i = ICONS[c.status];
      return `<tr class="${c.status}"><td><span class="codicon codicon-${i.icon}" role="img" aria-label="${i.label}" title="${i.label}"></span></td><th scope="row">${escapeHtml(c.name)}</th><td>${escapeHtml(c.found)}</td></tr>`;
    })
    .join('\n');
  const fixes = report.checks.filter((c) => c.fix);
  const devices = report.devices
    .map((d) => `<li><span class="codicon codicon-${d.chosen ? 'circle-filled' : d.available ? 'circle-outline' : 'circle-slash'}" aria-hidden="true"></span> <strong>${escapeHtml(d.id)}</strong>${d.chosen ? ' (in use)' : ''}: ${d.available ? 'available' : 'not available'}${d.software ? ', software adapter' : ''}</li>`)
    .join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src ${cspSource} 'nonce-${nonce}'; font-src ${cspSource}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>AlexNet: GPU setup</title>
<link rel="stylesheet" href="${codiconCss}" id="vscode-codicon-stylesheet" nonce="${nonce}">
<style nonce="${nonce}">
  body { font-family: var(--vscode-font-family); color: var(--vscode-foreground); padding: 0 1.5em 2em; line-height: 1.45; }
  h1 { font-size: 1.4em; } h2 { font-size: 1.15em; margin-top: 1.6em; }
  .summary { font-weight: 600; padding: .6em .8em; border-left: 3px solid var(--vscode-textLink-foreground); background: var(--vscode-textBlockQuote-background); }
  table { border-collapse: collapse; width: 100%; } td, th { text-align: left; vertical-align: top; padding: .35em .6em; border-bottom: 1px solid var(--vscode-widget-border, var(--vscode-panel-border)); }
  th { font-weight: 600; white-space: nowrap; } td:last-child { overflow-wrap: anywhere; }
  .ok .codicon { color: var(--vscode-testing-iconPassed, var(--vscode-charts-green)); }
  .missing .codicon { color: var(--vscode-errorForeground); }
  .warn .codicon { color: var(--vscode-editorWarning-foreground); }
  .info .codicon { color: var(--vscode-editorInfo-foreground); }
  ul.devices { list-style: none; padding-left: 0; } code { font-family: var(--vscode-editor-font-family); }
  li { margin: .3em 0; } .fix { overflow-wrap: anywhere; }
</style>
</head>
<body>
<h1>AlexNet Explorer: GPU setup</h1>
<p class="summary" role="status">${escapeHtml(report.summary)}</p>
<h2>Devices (ONNX Runtime ${escapeHtml(report.ort.version ?? 'not loaded')})</h2>
<ul class="devices">${devices}</ul>
<h2>Checks</h2>
<table aria-label="GPU setup checks"><thead><tr><th scope="col"><span class="codicon codicon-checklist" aria-label="status"></span></th><th scope="col">check</th><th scope="col">found</th></tr></thead>
<tbody>${rows}</tbody></table>
${fixes.length ? `<h2>What to do</h2><ul>${fixes.map((c) => `<li class="fix"><strong>${escapeHtml(c.name)}</strong>: ${escapeHtml(c.fix!)}</li>`).join('\n')}</ul>` : ''}
<p>The same check runs in a terminal: <code>alexnet doctor</code> (in the extension folder: <code>node dist/cli.js doctor</code>; <code>--json</code> for a machine-readable report).</p>
</body>
</html>`;
}

export async function checkGpuSetup(engine: EngineHost, extensionPath: string, extensionUri?: vscode.Uri): Promise<DoctorReport | undefined> {
  let report: DoctorReport;
  try {
    report = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'AlexNet: checking the GPU setup (a GPU device runs its self-test)…' },
      () => engine.request('doctor', { installDir: extensionPath }),
    );
  } catch (err) {
    void vscode.window.showErrorMessage(`The GPU setup check failed: ${(err as Error).message}`);
    return undefined;
  }
  const root = extensionUri ?? vscode.Uri.file(extensionPath);
  if (!panel) {
    panel = vscode.window.createWebviewPanel('alexnet.gpuSetup', 'AlexNet: GPU Setup', vscode.ViewColumn.Active, {
      enableScripts: false,
      localResourceRoots: [vscode.Uri.joinPath(root, 'dist')],
    });
    panel.onDidDispose(() => (panel = undefined));
  } else panel.reveal();
  const webview = panel.webview;
  webview.html = gpuSetupHtml(report, {
    cspSource: webview.cspSource,
    codiconCss: webview.asWebviewUri(vscode.Uri.joinPath(root, 'dist', 'codicons', 'codicon.css')).toString(),
    nonce: randomBytes(16).toString('base64'),
  });
  return report;
}
