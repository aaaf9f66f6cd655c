import * as vscode from 'vscode';
import type { ClassifyItem } from '../../protocol/engine';
import type { EngineHost } from '../engine/engineHost';
import { type WeightsManager } from '../weights/weightsManager';
export { IMAGE_EXTENSIONS, isImagePath, listImages } from './listImages';
export declare class Classifier {
    private readonly engine;
    private readonly weights;
    private readonly extensionUri;
    constructor(engine: EngineHost, weights: WeightsManager, extensionUri: vscode.Uri);
    /** Explorer: (clicked, selected[]); image preview title bar: (uri); palette: () -> asks. */
    classifyImage(uri?: vscode.Uri, selected?: vscode.Uri[]): Promise<ClassifyItem[] | undefined>;
    classifyFolder(uri?: vscode.Uri): Promise<ClassifyItem[] | undefined>;
    private run;
    private showError;
}
