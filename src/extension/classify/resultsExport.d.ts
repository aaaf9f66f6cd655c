import type { ClassifyItem } from '../../protocol/engine';
export interface ExportContext {
    variant: string;
    weightsLabel: string;
    untrained: boolean;
    backend: string;
}
/** One line per image: path, status, then label/synset/probability for each of the top K. */
export declare function resultsToCsv(items: readonly ClassifyItem[], topK: number): string;
export declare function resultsToJson(items: readonly ClassifyItem[], context: ExportContext): string;
/** The image folders, without any folder that lies inside another one listed. */
export declare function imageRoots(paths: readonly string[]): string[];
