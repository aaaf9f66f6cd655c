import * as vscode from 'vscode';
import type { VariantName } from '../../protocol/engine/model';
import type { WeightsSource } from '../../protocol/engine';
import { type WeightsEntry, type WeightsManifest } from './manifest';
import { type WeightsDecision } from './weightsChoice';
export declare const USE_UNTRAINED = "Use Untrained Weights";
export declare const LOAD_FROM_FILE = "Load from File\u2026";
/** Thrown when the user dismissed the weights question: the caller stops quietly. */
export declare class NoWeightsChosen extends Error {
    constructor();
}
export declare class WeightsManager implements vscode.Disposable {
    readonly storageDir: string;
    private manifestCache?;
    private readonly session;
    private readonly changed;
    /** Fires when the weights a variant would use may have changed. */
    readonly onDidChange: vscode.Event<void>;
    private readonly disposables;
    constructor(globalStorage: vscode.Uri);
    manifest(): WeightsManifest;
    entryFor(variant: VariantName): WeightsEntry | undefined;
    /** Remembers a choice for this session (until the window reloads). */
    setSessionChoice(variant: VariantName, source: WeightsSource | undefined): void;
    /** What the variant would load now, without asking or downloading. */
    decide(variant: VariantName, signal?: AbortSignal): Promise<WeightsDecision>;
    /** Cheap guess for the status bar: trusts the verification sidecar without re-hashing. */
    quickDescribe(variant: VariantName): {
        text: string;
        untrained: boolean;
    };
    /**
     * The weights to load for `variant`; asks the user when there are none (download, file or
     * untrained). Throws NoWeightsChosen when the question is dismissed.
     */
    resolve(variant: VariantName): Promise<WeightsSource>;
    private ask;
    /** Asks for a weights file and uses it for `variant` this session. */
    pickFile(variant: VariantName): Promise<WeightsSource | undefined>;
    /**
     * Downloads (or finds) the verified managed copy for `variant`, with a cancellable progress
     * notification. Returns its path, or undefined when cancelled or failed (already reported).
     */
    download(variant: VariantName): Promise<string | undefined>;
    private reportDownloadError;
    dispose(): void;
}
