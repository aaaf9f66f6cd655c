import type { IncomingMessage } from 'node:http';
export interface GetOptions {
    headers?: Record<string, string>;
    signal?: AbortSignal;
    /** Socket idle time before the request is given up as stalled. */
    timeoutMs: number;
    maxRedirects: number;
}
export interface OpenResponse {
    res: IncomingMessage;
    /** The URL that answered, after redirects. */
    url: string;
    /** Ends the exchange (idempotent); the body stream errors with `err` if it is still flowing. */
    destroy(err?: Error): void;
}
export declare function openGet(url: string, opts: GetOptions): Promise<OpenResponse>;
