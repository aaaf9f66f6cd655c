import * as vscode from 'vscode';
import type { ClassifyItem, ModelStatus } from '../../protocol/engine';
export declare const CLASSIFY_VIEW_TYPE = "alexnet.classifyResults";
export declare const EXPLORE_COMMAND = "alexnet.exploreActivations";
export interface ClassifyOutcome {
    title: string;
    layout: 'image' | 'table';
    items: ClassifyItem[];
    model: ModelStatus;
    backend: string;
    totalMs: number;
    topK: number;
}
export declare class ClassifyPanel implements vscode.Disposable {
    private readonly panel;
    private readonly extensionUri;
    private static current?;
    private view?;
    private readonly disposables;
    private constructor();
    /** Shows `outcome` in the panel (created, or reused and revealed). */
    static show(extensionUri: vscode.Uri, outcome: ClassifyOutcome): Promise<ClassifyPanel>;
    /** Restores the panel after a window reload from the state its webview saved. */
    static registerSerializer(extensionUri: vscode.Uri): vscode.Disposable;
    private buildView;
    /** Loads a fresh page allowed to read the images' folders; it asks for the view when ready. */
    private setView;
    private post;
    private onMessage;
    dispose(): void;
}
