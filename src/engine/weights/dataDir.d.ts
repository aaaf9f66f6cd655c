/** Absolute path of `weights/<fileName>`; throws naming every place it looked. */
export declare function weightsDataFile(fileName: string, fromDir?: string): string;
/** The weights/ folder itself (the one holding manifest.json). */
export declare function weightsDataDir(fromDir?: string): string;
