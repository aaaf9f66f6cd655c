// Where training runs live: <workspace folder>/.alexnet/runs for a dataset inside (or, failing
// that, the first) workspace folder; the extension's global storage when no folder is open.
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { RunConfigFile, RunState } from '../../protocol/engine/train';
import { listRuns } from '../../engine/train/runFiles';

export const RUNS_SUBDIR = join('.alexnet', 'runs');

export function runsRootFor(datasetFolder: string, globalStorage: vscode.Uri): string {
  const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(datasetFolder)) ?? vscode.workspace.workspaceFolders?.[0];
  return folder ? join(folder.uri.fsPath, RUNS_SUBDIR) : join(globalStorage.fsPath, 'runs');
}

/** Every place runs may be: each workspace folder's, and global storage's. */
export function allRunsRoots(globalStorage: vscode.Uri): string[] {
  const roots = (vscode.workspace.workspaceFolders ?? []).map((f) => join(f.uri.fsPath, RUNS_SUBDIR));
  roots.push(join(globalStorage.fsPath, 'runs'));
  return [...new Set(roots)];
}

export interface RunEntry {
  runDir: string;
  name: string;
  state: RunState | null;
  config: RunConfigFile | null;
}

/**
 * The runs under every root, newest first. Read here rather than through the engine's listRuns
 * request: the engine answers one request at a time, and a training run holds it for its whole length.
 */
export function findRuns(globalStorage: vscode.Uri): RunEntry[] {
  return allRunsRoots(globalStorage)
    .flatMap((root) => listRuns(root))
    .sort((a, b) => (a.name < b.name ? 1 : a.name > b.name ? -1 : 0));
}
