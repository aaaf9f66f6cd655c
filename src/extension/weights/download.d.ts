import type { WeightsEntry } from './manifest';
export { DownloadError, isCancellation } from './downloadErrors';
export type { DownloadErrorKind } from './downloadErrors';
export interface DownloadProgress {
    /** Bytes in the file so far (including those a resumed download already had). */
    received: number;
    /** Full size, when the server or the caller says. */
    total?: number;
    /** Averaged over the last few seconds. */
    bytesPerSecond: number;
}
export interface DownloadOptions {
    url: string;
    dest: string;
    sha256?: string;
    /** Leading hex digits of the SHA-256, checked when the full hash is not known. */
    sha256Prefix?: string;
    size?: number;
    signal?: AbortSignal;
    onProgress?: (p: DownloadProgress) => void;
    /**
     * Further attempts after one that failed without receiving anything (default 3). An attempt
     * cut after receiving bytes does not use one up; 0 means exactly one attempt.
     */
    retries?: number;
    headers?: Record<string, string>;
    /** Folder named in the "download it yourself" message (default: dest's folder). */
    manualFolder?: string;
    /** File name named in that message (default: dest's name). */
    fileName?: string;
    /** First pause between attempts, doubled each time up to 8 s (default 500 ms). */
    retryDelayMs?: number;
    /** Socket idle time before an attempt counts as stalled (default 30 s). */
    timeoutMs?: number;
    maxRedirects?: number;
    /** Least time between two onProgress calls (default 100 ms); the last call always comes. */
    progressIntervalMs?: number;
}
export interface DownloadResult {
    path: string;
    sha256: string;
    /** Whether the verified file kept bytes from an earlier interrupted attempt or call. */
    resumed: boolean;
    bytes: number;
}
export declare function downloadVerified(opts: DownloadOptions): Promise<DownloadResult>;
/** What to download by hand and where to put it: the message for a machine without network. */
export declare function manualInstructions(opts: Pick<DownloadOptions, 'url' | 'dest' | 'size' | 'manualFolder' | 'fileName'>): string;
export interface EnsureOptions extends Pick<DownloadOptions, 'signal' | 'onProgress' | 'retries' | 'headers' | 'manualFolder' | 'retryDelayMs' | 'timeoutMs'> {
    /** Base URL used instead of the official one (the `alexnet.weights.mirror` setting). */
    mirror?: string;
}
export interface EnsureResult {
    path: string;
    sha256: string;
    /** False when a verified copy was already there (no network request was made). */
    downloaded: boolean;
    resumed: boolean;
}
/** The verified copy of `entry` in `storageDir`, if there is one (re-hashed only when the sidecar is stale). */
export declare function findVerifiedCopy(entry: WeightsEntry, storageDir: string, signal?: AbortSignal): Promise<{
    path: string;
    sha256: string;
} | undefined>;
/**
 * Makes sure `storageDir/<fileName>` holds the verified weights: never downloads while a
 * verified copy exists; a copy that fails verification is deleted and fetched again.
 * Concurrent calls for the same file in this process share one download.
 */
export declare function ensureWeights(entry: WeightsEntry, storageDir: string, opts?: EnsureOptions): Promise<EnsureResult>;
