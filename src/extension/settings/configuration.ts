// Typed access to the `alexnet.*` settings, so the setting names and defaults live in one place.
import * as vscode from 'vscode';
import { VARIANTS, type VariantName } from '../../protocol/engine/model';
import { BACKEND_ORDER, type BackendPreference } from '../../protocol/engine/backend';

export type BackendSetting = BackendPreference;
export const BACKEND_SETTINGS: readonly BackendSetting[] = ['auto', ...BACKEND_ORDER];

export type DeviceSetting = 'auto' | 'cpu' | 'webgpu' | 'cuda' | 'directml';
// Spelled out like the backends (the engine's list is in src/engine/onnx/sessionOptions.ts).
export const DEVICE_SETTINGS: readonly DeviceSetting[] = ['auto', 'cpu', 'webgpu', 'cuda', 'directml'];

const SECTION = 'alexnet';

function section(): vscode.WorkspaceConfiguration {
  return vscode.workspace.getConfiguration(SECTION);
}

export function variant(): VariantName {
  const v = section().get<string>('variant', 'torchvision');
  return (VARIANTS as readonly string[]).includes(v) ? (v as VariantName) : 'torchvision';
}

export function backend(): BackendSetting {
  const b = section().get<string>('backend', 'auto');
  return (BACKEND_SETTINGS as readonly string[]).includes(b) ? (b as BackendSetting) : 'auto';
}

export function device(): DeviceSetting {
  const d = section().get<string>('device', 'auto');
  return (DEVICE_SETTINGS as readonly string[]).includes(d) ? (d as DeviceSetting) : 'auto';
}

/** The user's weights file, with `~` and `${workspaceFolder}` expanded; undefined when blank. */
export function weightsPath(): string | undefined {
  const raw = section().get<string>('weights.path', '').trim();
  if (!raw) return undefined;
  const home = process.env.HOME ?? process.env.USERPROFILE ?? '';
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '';
  return raw.replace(/^~(?=$|[\\/])/, home).replace(/\$\{workspaceFolder\}/g, folder);
}

export function weightsMirror(): string | undefined {
  return section().get<string>('weights.mirror', '').trim() || undefined;
}

/** Rotate by the EXIF orientation tag (default) or read pixels as stored, as torchvision does. */
export function exifOrientation(): boolean {
  return section().get<boolean>('image.exifOrientation', true) !== false;
}

export function topK(): number {
  const k = Math.round(section().get<number>('topK', 5));
  return Number.isFinite(k) ? Math.min(20, Math.max(1, k)) : 5;
}

/** 0 = let the engine decide. */
export function engineThreads(): number {
  const t = Math.round(section().get<number>('engine.threads', 0));
  return Number.isFinite(t) && t > 0 ? Math.min(8, t) : 0;
}

/** Writes a setting where the user most likely expects it: the workspace if it overrides, else user settings. */
export async function update(key: 'variant' | 'backend' | 'device' | 'weights.path', value: unknown): Promise<void> {
  const cfg = section();
  const inspected = cfg.inspect(key);
  const target =
    inspected?.workspaceFolderValue !== undefined
      ? vscode.ConfigurationTarget.WorkspaceFolder
      : inspected?.workspaceValue !== undefined
        ? vscode.ConfigurationTarget.Workspace
        : vscode.ConfigurationTarget.Global;
  await cfg.update(key, value, target);
}

export function affects(e: vscode.ConfigurationChangeEvent, ...keys: string[]): boolean {
  return keys.some((k) => e.affectsConfiguration(`${SECTION}.${k}`));
}
