// alexnet.downloadWeights and alexnet.loadWeightsFromFile.
import * as vscode from 'vscode';
import * as config from '../settings/configuration';
import type { WeightsManager } from './weightsManager';

/** Downloads (or finds) the verified weights for the selected variant; returns their path. */
export async function downloadWeights(weights: WeightsManager): Promise<string | undefined> {
  return weights.download(config.variant());
}

/** Uses a weights file for the selected variant this session, and offers to keep it in settings. */
export async function loadWeightsFromFile(weights: WeightsManager, arg?: unknown): Promise<string | undefined> {
  const variant = config.variant();
  let path: string | undefined;
  if (arg instanceof vscode.Uri) {
    path = arg.fsPath;
    weights.setSessionChoice(variant, { kind: 'file', path });
  } else {
    const source = await weights.pickFile(variant);
    path = source?.kind === 'file' ? source.path : undefined;
  }
  if (!path) return undefined;
  // Asked without waiting, so the command returns at once (the notification may stay open).
  const setting = config.weightsPath();
  if (setting && setting !== path) {
    // The setting outranks a session choice: say so instead of silently ignoring the file.
    void vscode.window
      .showWarningMessage(`alexnet.weights.path is set to ${setting}, which takes precedence. Use ${path} there instead?`, 'Update Setting')
      .then((choice) => choice && config.update('weights.path', path));
  } else if (!setting) {
    void vscode.window
      .showInformationMessage(`AlexNet (${variant}) will use ${path} in this window.`, 'Save in Settings')
      .then((choice) => choice && config.update('weights.path', path));
  }
  return path;
}
