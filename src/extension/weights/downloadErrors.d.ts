export type DownloadErrorKind = 'cancelled' | 'offline' | 'network' | 'http' | 'redirect' | 'checksum' | 'size' | 'io';
export declare class DownloadError extends Error {
    readonly kind: DownloadErrorKind;
    readonly url: string;
    readonly status?: number;
    /** The underlying system error code (ENOTFOUND, ECONNRESET...), when there was one. */
    readonly code?: string;
    /** Whether another attempt within the same call may succeed. */
    readonly retryable: boolean;
    constructor(message: string, kind: DownloadErrorKind, url: string, extra?: {
        status?: number;
        code?: string;
        retryable?: boolean;
        cause?: unknown;
    });
}
export declare function cancelledError(url: string): DownloadError;
/** True for the downloader's cancellation error (and for a plain AbortError from Node). */
export declare function isCancellation(err: unknown): boolean;
export declare const OFFLINE_CODES: Set<string>;
export declare const IO_CODES: Set<string>;
export declare function formatBytes(n: number): string;
