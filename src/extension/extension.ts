// Entry point of the extension host part: wires the engine, weights, commands, status bar and
// panels together. Each piece lives in its own file.
import * as vscode from 'vscode';
import { join } from 'node:path';
import { EngineHost } from './engine/engineHost';
import { WeightsManager } from './weights/weightsManager';
import { Classifier } from './classify/classifyCommands';
import { selectBackend, selectDevice, selectVariant } from './settings/selectCommands';
import { downloadWeights, loadWeightsFromFile } from './weights/weightsCommands';
import { StatusBar, showStatusMenu, useImageNetWeights } from './statusBar';
import { ClassifyPanel } from './classify/classifyPanel';
import { EventLoopMonitor } from './debug/eventLoopMonitor';
import { registerInspectCommands } from './inspect/inspectCommands';
import { registerTrainCommands } from './train/trainCommands';
import { checkGpuSetup } from './engine/checkGpuSetup';
import { registerProjectCommands } from './project/projectCommands';
import { registerModelFiles } from './modelFiles/registerModelFiles';

/** What activate() returns: lets tests (and other extensions) reach the live objects. */
export interface AlexNetApi {
  engine: EngineHost;
  weights: WeightsManager;
  statusBar: StatusBar;
}

export function activate(context: vscode.ExtensionContext): AlexNetApi {
  // built ONNX models, so the engine's next start loads its session from disk (engine/onnx/modelCache.ts)
  const engine = new EngineHost(context.asAbsolutePath('dist/engine.js'), { ALEXNET_ONNX_CACHE_DIR: join(context.globalStorageUri.fsPath, 'onnx-cache') });
  const weights = new WeightsManager(context.globalStorageUri);
  const statusBar = new StatusBar(engine, weights);
  const classifier = new Classifier(engine, weights, context.extensionUri);
  const eventLoop = new EventLoopMonitor();

  // A command gets whatever its caller passes (a Uri, a Uri[], a string, nothing); each handler declares what it takes.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const command = (id: string, fn: (...args: any[]) => unknown) => vscode.commands.registerCommand(id, fn);
  context.subscriptions.push(
    engine,
    weights,
    statusBar,
    { dispose: () => eventLoop.dispose() },
    ClassifyPanel.registerSerializer(context.extensionUri),
    registerInspectCommands(context, engine, weights),
    registerTrainCommands(context, engine, weights),
    registerProjectCommands(context, engine, weights),
    registerModelFiles(context, engine),
    command('alexnet.classifyImage', (uri?: vscode.Uri, selected?: vscode.Uri[]) => classifier.classifyImage(uri, selected)),
    command('alexnet.classifyFolder', (uri?: vscode.Uri) => classifier.classifyFolder(uri)),
    command('alexnet.downloadWeights', () => downloadWeights(weights)),
    command('alexnet.loadWeightsFromFile', (arg?: unknown) => loadWeightsFromFile(weights, arg)),
    command('alexnet.selectVariant', (arg?: unknown) => selectVariant(arg)),
    command('alexnet.selectBackend', (arg?: unknown) => selectBackend(arg)),
    command('alexnet.selectDevice', (arg?: unknown) => selectDevice(arg)),
    command('alexnet.useImageNetWeights', () => useImageNetWeights()),
    command('alexnet.showEngineLog', () => engine.log.show(true)),
    command('alexnet.checkGpuSetup', () => checkGpuSetup(engine, context.extensionPath, context.extensionUri)),
    command('alexnet.showStatusMenu', () => showStatusMenu()),
    // Not in the palette: for tests that check the host stays responsive. {reset: true} starts over.
    command('alexnet.debug.eventLoopStats', (opts?: { reset?: boolean }) => {
      const stats = eventLoop.stats();
      if (opts?.reset) eventLoop.reset();
      return stats;
    }),
  );
  return { engine, weights, statusBar };
}

export function deactivate(): void {
  // Disposables (the engine process included) are released through context.subscriptions.
}
