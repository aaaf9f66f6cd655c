// Errors the downloader throws: one class with a `kind`, so callers (extension host, CLI) can
// tell cancellation, offline, HTTP and checksum failures apart without parsing messages.

export type DownloadErrorKind =
  | 'cancelled' // AbortSignal fired; the .part file is kept for a later resume
  | 'offline' // DNS failure / connection refused / network unreachable
  | 'network' // connection cut, timeout, truncated body (retried within the call)
  | 'http' // an HTTP status the downloader cannot use (404, 403, 5xx after retries...)
  | 'redirect' // too many redirects or a redirect to an unsupported protocol
  | 'checksum' // SHA-256 mismatch; the file was deleted
  | 'size' // the server's or the file's size is not the expected one
  | 'io'; // local file system error (disk full, permissions)

export class DownloadError extends Error {
  readonly kind: DownloadErrorKind;
  readonly url: string;
  readonly status?: number;
  /** The underlying system error code (ENOTFOUND, ECONNRESET...), when there was one. */
  readonly code?: string;
  /** Whether another attempt within the same call may succeed. */
  readonly retryable: boolean;

  constructor(
    message: string,
    kind: DownloadErrorKind,
    url: string,
    extra: { status?: number; code?: string; retryable?: boolean; cause?: unknown } = {},
  ) {
    super(message, extra.cause !== undefined ? { cause: extra.cause } : undefined);
    this.name = kind === 'cancelled' ? 'AbortError' : 'DownloadError';
    this.kind = kind;
    this.url = url;
    this.status = extra.status;
    this.code = extra.code ?? (kind === 'cancelled' ? 'ABORT_ERR' : undefined);
    this.retryable = extra.retryable ?? false;
  }
}

export function cancelledError(url: string): DownloadError {
  return new DownloadError(`Download of ${url} was cancelled; the partial file is kept and the next download resumes from it.`, 'cancelled', url);
}

/** True for the downloader's cancellation error (and for a plain AbortError from Node). */
export function isCancellation(err: unknown): boolean {
  if (err instanceof DownloadError) return err.kind === 'cancelled';
  return err instanceof Error && (err.name === 'AbortError' || (err as NodeJS.ErrnoException).code === 'ABORT_ERR');
}

export const OFFLINE_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'ENETUNREACH', 'EHOSTUNREACH', 'ENETDOWN']);
export const IO_CODES = new Set(['ENOSPC', 'EACCES', 'EPERM', 'EROFS', 'EISDIR', 'ENOTDIR', 'EMFILE', 'EDQUOT']);

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v >= 100 ? 0 : 1)} ${units[i]}`;
}
