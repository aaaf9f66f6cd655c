// "AlexNet: Check GPU Setup": runs the engine's setup check (driver, CUDA 11.2 / cuDNN 8.1,
// tfjs-node(-gpu), chosen backend) and shows the report as a Markdown document.
import * as vscode from 'vscode';
import type { EngineHost } from './engineHost';
import type { DoctorReport } from '../../protocol/engine/doctor';

export async function checkGpuSetup(engine: EngineHost, extensionPath: string): Promise<DoctorReport | undefined> {
  let report: DoctorReport;
  try {
    report = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'AlexNet: checking the GPU setup…' },
      () => engine.request('doctor', { installDir: extensionPath }),
    );
  } catch (err) {
    void vscode.window.showErrorMessage(`The GPU setup check failed: ${(err as Error).message}`);
    return undefined;
  }
  const icon = { ok: '✅', missing: '❌', warn: '⚠️', info: 'ℹ️' } as const;
  const lines = [
    '# AlexNet Explorer: GPU setup check',
    '',
    `**${report.summary}**`,
    '',
    '| | check | found |',
    '|---|---|---|',
    ...report.checks.map((c) => `| ${icon[c.status]} | ${c.name} | ${c.found.replace(/\|/g, '\\|')} |`),
    '',
    ...(report.checks.some((c) => c.fix) ? ['## What to do', ''] : []),
    ...report.checks.filter((c) => c.fix).map((c) => `- **${c.name}**: ${c.fix}`),
    '',
    'The same check runs in a terminal with `alexnet doctor` (the CLI in the extension folder: `node dist/cli.js doctor`).',
  ];
  const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: lines.join('\n') });
  await vscode.window.showTextDocument(doc, { preview: true });
  return report;
}
