import * as vscode from 'vscode';
import { type VariantName } from '../../protocol/engine/model';
import { type BackendPreference } from '../../protocol/engine/backend';
export type BackendSetting = BackendPreference;
export declare const BACKEND_SETTINGS: readonly BackendSetting[];
export declare function variant(): VariantName;
export declare function backend(): BackendSetting;
/** The user's weights file, with `~` and `${workspaceFolder}` expanded; undefined when blank. */
export declare function weightsPath(): string | undefined;
export declare function weightsMirror(): string | undefined;
export declare function topK(): number;
/** 0 = let the engine decide. */
export declare function engineThreads(): number;
/** Writes a setting where the user most likely expects it: the workspace if it overrides, else user settings. */
export declare function update(key: 'variant' | 'backend' | 'weights.path', value: unknown): Promise<void>;
export declare function affects(e: vscode.ConfigurationChangeEvent, ...keys: string[]): boolean;
