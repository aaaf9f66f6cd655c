// The status bar item: variant, where it computes (the ONNX Runtime GPU device when one is in
// use, else the tfjs backend: GPU/CPU/WASM/JS) and weights state; a click opens a quick pick
// with the actions (alexnet.showStatusMenu).
import * as vscode from 'vscode';
import * as config from './settings/configuration';
import { backendNotes, describeBackend } from './engine/backendLabel';
import type { EngineHost } from './engine/engineHost';
import type { WeightsManager } from './weights/weightsManager';

export class StatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly engine: EngineHost, private readonly weights: WeightsManager) {
    this.item = vscode.window.createStatusBarItem('alexnet.status', vscode.StatusBarAlignment.Right, 100);
    this.item.name = 'AlexNet';
    this.item.command = 'alexnet.showStatusMenu';
    this.disposables.push(
      this.item,
      engine.onDidChange(() => this.update()),
      weights.onDidChange(() => this.update()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (config.affects(e, 'variant', 'backend', 'device', 'weights.path')) this.update();
      }),
    );
    this.update();
    this.item.show();
  }

  /** The item's current text (read by tests). */
  get text(): string {
    return this.item.text;
  }

  update(): void {
    const variant = config.variant();
    const model = this.engine.model?.variant === variant ? this.engine.model : undefined;
    const device = this.engine.status?.device;
    const backend = device && device.chosen !== 'cpu' ? DEVICE_WORDS[device.chosen] : describeBackend(this.engine.status?.backend) ?? `${config.backend()} (not started)`;
    let weightsText: string;
    let untrained: boolean;
    try {
      const guess = this.weights.quickDescribe(variant);
      weightsText = model ? (model.untrained ? 'untrained (random weights)' : model.weightsLabel) : guess.text;
      untrained = model ? model.untrained : guess.untrained;
    } catch {
      weightsText = 'weights manifest unreadable';
      untrained = false;
    }
    this.item.text = `$(${untrained ? 'warning' : 'circuit-board'}) AlexNet ${variant} · ${backend.replace(/ \(not started\)$/, '')} · ${untrained ? 'untrained' : weightsText}`;
    this.item.backgroundColor = untrained ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    const tip = new vscode.MarkdownString(undefined, true);
    tip.appendMarkdown(`**AlexNet Explorer**\n\n`);
    tip.appendMarkdown(`- Variant: \`${variant}\`\n`);
    const report = this.engine.status?.backend;
    tip.appendMarkdown(`- Backend: ${report ? report.label : backend}\n`);
    for (const note of backendNotes(report)) tip.appendMarkdown(`  - ${note}\n`);
    if (device) {
      tip.appendMarkdown(`- ONNX Runtime ${device.ort.version ?? ''}: ${device.label} (setting \`${device.preference}\`)\n`);
      for (const s of device.skipped) tip.appendMarkdown(`  - ${s.id} not used: ${s.reason.replace(/[\\`*_[\]]/g, '\\$&')}\n`);
    }
    tip.appendMarkdown(`- Weights: ${weightsText}${untrained ? ' — predictions are meaningless' : ''}\n`);
    if (model) tip.appendMarkdown(`- Model loaded in ${model.loadMs.toFixed(0)} ms (${(model.parameters / 1e6).toFixed(1)} M parameters)\n`);
    tip.appendMarkdown(`\nClick for actions.`);
    this.item.tooltip = tip;
    this.item.accessibilityInformation = { label: `AlexNet ${variant}, backend ${backend}, weights ${weightsText}`, role: 'button' };
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

const DEVICE_WORDS = { cpu: 'CPU', webgpu: 'WebGPU', cuda: 'CUDA', directml: 'DirectML' } as const;

/** alexnet.useImageNetWeights: back from a trained model (alexnet.weights.path) to the verified ImageNet download. */
export async function useImageNetWeights(): Promise<void> {
  if (!config.weightsPath()) {
    void vscode.window.showInformationMessage('The classifier already uses the ImageNet weights.');
    return;
  }
  await config.update('weights.path', '');
  void vscode.window.showInformationMessage(`The classifier uses the ImageNet weights of ${config.variant()} again.`);
}

interface MenuItem extends vscode.QuickPickItem {
  command?: string;
}

/** alexnet.showStatusMenu */
export async function showStatusMenu(): Promise<void> {
  const items: MenuItem[] = [
    { label: '$(symbol-misc) Classify Image…', command: 'alexnet.classifyImage' },
    { label: '$(folder) Classify Folder…', command: 'alexnet.classifyFolder' },
    { label: '$(mortar-board) Train on Folder…', command: 'alexnet.trainOnFolder' },
    { label: '$(package) Use Trained Model…', command: 'alexnet.useTrainedModel' },
    ...(config.weightsPath() ? [{ label: '$(discard) Back to ImageNet Weights', description: 'instead of the file in alexnet.weights.path', command: 'alexnet.useImageNetWeights' }] : []),
    { label: '', kind: vscode.QuickPickItemKind.Separator },
    { label: '$(versions) Select Model Variant', description: config.variant(), command: 'alexnet.selectVariant' },
    { label: '$(chip) Select Device', description: config.device(), command: 'alexnet.selectDevice' },
    { label: '$(server-process) Select Backend (tfjs)', description: config.backend(), command: 'alexnet.selectBackend' },
    { label: '$(pulse) Check GPU Setup', command: 'alexnet.checkGpuSetup' },
    { label: '$(cloud-download) Download Pretrained Weights', command: 'alexnet.downloadWeights' },
    { label: '$(file) Load Weights from File…', command: 'alexnet.loadWeightsFromFile' },
    { label: '$(output) Show Engine Log', command: 'alexnet.showEngineLog' },
  ];
  const pick = await vscode.window.showQuickPick(items, { title: 'AlexNet Explorer', placeHolder: 'Choose an action' });
  if (pick?.command) await vscode.commands.executeCommand(pick.command);
}
