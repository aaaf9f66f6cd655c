// Wires the model-file features: the weights viewer (custom editor), Export Model..., Export Run
// as PyTorch Project.
import * as vscode from 'vscode';
import type { EngineHost } from '../engine/engineHost';
import { findRuns } from '../train/runsRoot';
import { ModelFileEditorProvider } from './modelFileEditor';
import { exportModelCommand, exportProjectCommand } from './modelFileActions';

export function registerModelFiles(context: vscode.ExtensionContext, engine: EngineHost): vscode.Disposable {
  const pickRun = async (): Promise<string | undefined> => {
    const runs = findRuns(context.globalStorageUri);
    if (!runs.length) {
      void vscode.window.showInformationMessage('No training runs yet: run AlexNet: Train on Folder first.');
      return undefined;
    }
    const pick = await vscode.window.showQuickPick(
      runs.map((r) => ({ label: r.name, description: r.config ? `${r.config.classNames.length} classes, ${r.config.config.mode}` : '', detail: r.runDir, runDir: r.runDir })),
      { title: 'Export which training run as a PyTorch project?' },
    );
    return pick?.runDir;
  };
  return vscode.Disposable.from(
    ModelFileEditorProvider.register(context.extensionUri, engine),
    vscode.commands.registerCommand('alexnet.exportModel', (arg?: unknown) => exportModelCommand(engine, arg)),
    vscode.commands.registerCommand('alexnet.exportPytorchProject', (arg?: unknown, out?: string) => exportProjectCommand(engine, pickRun, arg, out)),
  );
}
