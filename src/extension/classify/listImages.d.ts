export declare const IMAGE_EXTENSIONS: string[];
/** A folder larger than this is cut short (with a warning) rather than flooding the panel. */
export declare const MAX_FOLDER_IMAGES = 5000;
export declare function isImagePath(p: string): boolean;
/** Image files under `dir` (recursively, skipping hidden folders), sorted; at most `limit`. */
export declare function listImages(dir: string, limit?: number): Promise<{
    paths: string[];
    truncated: boolean;
}>;
