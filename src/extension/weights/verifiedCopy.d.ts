export interface ExpectedHash {
    sha256?: string;
    sha256Prefix?: string;
}
export declare const sidecarPath: (file: string) => string;
/** True when `actual` satisfies the full hash, or else the prefix (torch.hub's check_hash); false when neither is given. */
export declare function hashMatches(actual: string, expected: ExpectedHash): boolean;
export declare function describeExpected(expected: ExpectedHash): string;
export declare function writeSidecar(file: string, sha256: string): Promise<void>;
/** The hash recorded for `file`, if its sidecar still describes the file as it is now. */
export declare function sidecarHash(file: string): Promise<string | undefined>;
/**
 * Hash of an existing file: from the sidecar when it is current, else re-hashed (and the
 * sidecar rewritten). Undefined when the file does not exist.
 */
export declare function currentHash(file: string, signal?: AbortSignal): Promise<{
    sha256: string;
    rehashed: boolean;
} | undefined>;
export declare function removeWithSidecar(file: string): Promise<void>;
