import type { Hash } from 'node:crypto';
/** Streams the first `length` bytes of a file (all when omitted) into `hash`. */
export declare function hashFileInto(hash: Hash, path: string, length?: number, signal?: AbortSignal): Promise<void>;
/** SHA-256 of a whole file, lower-case hex. */
export declare function sha256File(path: string, signal?: AbortSignal): Promise<string>;
