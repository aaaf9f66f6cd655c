export interface ImagenetLabel {
    synset: string;
    name: string;
    description: string;
}
/** The labels from `dataDir`/imagenet_classes.json (default: the weights/ folder beside the code). */
export declare function imagenetLabels(dataDir?: string): ImagenetLabel[];
