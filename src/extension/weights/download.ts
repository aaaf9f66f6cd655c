// Resumable, verified download of the pretrained weight files (plain Node: used by the
// extension host and the CLI). Bytes go to `<dest>.part`; an interrupted transfer keeps it and
// the next attempt (a retry in the same call, or a later call) asks for the rest with
// `Range: bytes=N-`. The SHA-256 is computed while the bytes stream in (plus the bytes already
// in .part) and checked before the file is renamed into place.
import { createHash } from 'node:crypto';
import type { Hash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import type { WriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { WeightsEntry } from './manifest';
import { resolveDownloadUrl } from './manifest';
import { hashFileInto } from './hashFile';
import { openGet } from './httpGet';
import type { OpenResponse } from './httpGet';
import { SpeedMeter } from './speedMeter';
import { currentHash, describeExpected, hashMatches, removeWithSidecar, writeSidecar } from './verifiedCopy';
import { cancelledError, DownloadError, formatBytes, IO_CODES, isCancellation, OFFLINE_CODES } from './downloadErrors';

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

interface AttemptResult {
  sha256: string;
  bytes: number;
  resumed: boolean;
}

export async function downloadVerified(opts: DownloadOptions): Promise<DownloadResult> {
  const { url, dest } = opts;
  const part = `${dest}.part`;
  const retries = opts.retries ?? 3;
  await mkdir(dirname(dest), { recursive: true });
  let failures = 0;
  let attempts = 0;
  for (;;) {
    if (opts.signal?.aborted) throw cancelledError(url);
    const before = await fileSize(part);
    let result: AttemptResult;
    try {
      result = await attempt(opts, part, false);
    } catch (e) {
      const err = classify(e, opts);
      if (!err.retryable) throw err;
      // A cut after progress costs no retry (a flaky link still finishes a 233 MB file);
      // retries: 0 means a single attempt all the same.
      const progressed = (await fileSize(part)) > before;
      failures = progressed ? 0 : failures + 1;
      attempts++;
      if (retries === 0 || failures > retries) throw exhausted(err, opts, part, attempts);
      await pause(Math.min(8000, (opts.retryDelayMs ?? 500) * 2 ** Math.max(0, failures - 1)), opts.signal, url);
      continue;
    }
    return finish(opts, part, result);
  }
}

async function finish(opts: DownloadOptions, part: string, r: AttemptResult): Promise<DownloadResult> {
  const name = opts.fileName ?? basename(opts.dest);
  if (opts.size !== undefined && r.bytes !== opts.size) {
    await rm(part, { force: true });
    throw new DownloadError(
      `${name} from ${opts.url} has ${r.bytes} bytes, expected ${opts.size}; the downloaded file was deleted.`,
      'size', opts.url,
    );
  }
  const expected = { sha256: opts.sha256, sha256Prefix: opts.sha256Prefix };
  if ((expected.sha256 || expected.sha256Prefix) && !hashMatches(r.sha256, expected)) {
    await rm(part, { force: true });
    throw new DownloadError(
      `Checksum mismatch for ${name} from ${opts.url}: expected SHA-256 ${describeExpected(expected)}, got ${r.sha256}. ` +
        'The downloaded file was deleted.',
      'checksum', opts.url,
    );
  }
  await rename(part, opts.dest);
  return { path: opts.dest, sha256: r.sha256, resumed: r.resumed, bytes: r.bytes };
}

/** One request: resume from .part if there is one; returns once .part holds the whole body. */
async function attempt(opts: DownloadOptions, part: string, after416: boolean): Promise<AttemptResult> {
  const { url, signal } = opts;
  let offset = await fileSize(part);
  if (opts.size !== undefined && offset > opts.size) {
    await rm(part, { force: true });
    offset = 0;
  }
  let hash = createHash('sha256');
  if (offset > 0) await hashFileInto(hash, part, offset, signal);
  if (opts.size !== undefined && offset === opts.size) return { sha256: hash.digest('hex'), bytes: offset, resumed: true };

  const open = await openGet(url, {
    headers: { ...opts.headers, ...(offset > 0 && { range: `bytes=${offset}-` }) },
    signal,
    timeoutMs: opts.timeoutMs ?? 30_000,
    maxRedirects: opts.maxRedirects ?? 10,
  });
  const { res } = open;
  const status = res.statusCode ?? 0;
  let start: number;
  let total: number | undefined;
  try {
    if (status === 206 && offset > 0) {
      const range = parseContentRange(res.headers['content-range']);
      if (!range || range.start !== offset) {
        // A range we did not ask for: drop what we have and fetch it whole next time.
        await rm(part, { force: true });
        throw new DownloadError(`${open.url} answered a different byte range (${res.headers['content-range']}) than asked (${offset}-)`, 'network', url, { retryable: true });
      }
      start = offset;
      total = range.total;
    } else if (status === 200 || status === 206) {
      // The server ignored Range (or we sent none): start over from byte 0.
      start = 0;
      total = contentLength(res.headers['content-length']);
      if (offset > 0) hash = createHash('sha256');
    } else if (status === 416 && offset > 0) {
      const fullSize = parseUnsatisfiedRange(res.headers['content-range']);
      open.destroy();
      if (fullSize === offset) return { sha256: hash.digest('hex'), bytes: offset, resumed: true };
      // .part is longer than the file (or the server will not say): start again once.
      if (after416) throw httpError(status, res.statusMessage, open.url, url);
      await rm(part, { force: true });
      return attempt(opts, part, true);
    } else {
      throw httpError(status, res.statusMessage, open.url, url);
    }
    if (opts.size !== undefined && total !== undefined && total !== opts.size) {
      throw new DownloadError(
        `${open.url} serves ${total} bytes, but ${opts.fileName ?? basename(opts.dest)} has ${opts.size}; is the mirror serving another file?`,
        'size', url,
      );
    }
    total ??= opts.size;
    const received = await receiveBody(open, part, start, total, hash, opts);
    if (total !== undefined && received < total) {
      throw new DownloadError(`The connection to ${new URL(open.url).host} ended after ${received} of ${total} bytes`, 'network', url, { retryable: true, code: 'ECONNRESET' });
    }
    return { sha256: hash.digest('hex'), bytes: received, resumed: start > 0 };
  } finally {
    open.destroy();
  }
}

/** Appends the body to .part (truncating it when start is 0); returns the file's byte count. */
async function receiveBody(
  open: OpenResponse, part: string, start: number, total: number | undefined, hash: Hash, opts: DownloadOptions,
): Promise<number> {
  const file = createWriteStream(part, { flags: start > 0 ? 'a' : 'w' });
  let fileError: Error | undefined;
  file.on('error', (e) => {
    fileError = e;
    open.destroy(e);
  });
  const meter = new SpeedMeter();
  const interval = opts.progressIntervalMs ?? 100;
  let received = start;
  let lastReport = -Infinity;
  const report = (force: boolean) => {
    if (!opts.onProgress) return;
    const now = performance.now();
    const bytesPerSecond = meter.update(received);
    if (!force && now - lastReport < interval) return;
    lastReport = now;
    opts.onProgress({ received, ...(total !== undefined && { total }), bytesPerSecond });
  };
  report(true);
  try {
    for await (const chunk of open.res as AsyncIterable<Buffer>) {
      // Hash only what is handed to the file, so .part and the hash never disagree.
      hash.update(chunk);
      received += chunk.length;
      if (!file.write(chunk)) await waitDrain(file);
      report(false);
    }
  } finally {
    // Flush what was received even on failure: the next attempt resumes from it.
    await closeFile(file);
  }
  if (fileError) throw fileError;
  report(true);
  return received;
}

function waitDrain(file: WriteStream): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      file.off('drain', done);
      file.off('close', done);
      resolve();
    };
    file.on('drain', done);
    file.on('close', done);
  });
}

function closeFile(file: WriteStream): Promise<void> {
  return new Promise((resolve) => {
    if (file.closed) return resolve();
    file.once('close', () => resolve());
    file.end();
  });
}

function classify(e: unknown, opts: DownloadOptions): DownloadError {
  const url = opts.url;
  if (isCancellation(e) || opts.signal?.aborted) return e instanceof DownloadError && e.kind === 'cancelled' ? e : cancelledError(url);
  if (e instanceof DownloadError) return e;
  const code = (e as NodeJS.ErrnoException)?.code;
  const message = e instanceof Error ? e.message : String(e);
  if (code && OFFLINE_CODES.has(code)) return offlineError(code, message, opts, e);
  if (code && IO_CODES.has(code)) return new DownloadError(`Cannot write the download next to ${opts.dest}: ${message}`, 'io', url, { code, cause: e });
  return new DownloadError(`Download of ${url} was interrupted: ${message}`, 'network', url, { code, retryable: true, cause: e });
}

/** What to download by hand and where to put it: the message for a machine without network. */
export function manualInstructions(opts: Pick<DownloadOptions, 'url' | 'dest' | 'size' | 'manualFolder' | 'fileName'>): string {
  const name = opts.fileName ?? basename(opts.dest);
  const size = opts.size !== undefined ? ` (${formatBytes(opts.size)}, ${opts.size} bytes)` : '';
  const folder = opts.manualFolder ?? dirname(opts.dest);
  return `Download ${name}${size} from ${opts.url} and put it in ${folder}, or use 'AlexNet: Load Weights from File'.`;
}

function offlineError(code: string, message: string, opts: DownloadOptions, cause: unknown): DownloadError {
  let host = opts.url;
  try {
    host = new URL(opts.url).host;
  } catch {
    // keep the whole URL
  }
  return new DownloadError(
    `Cannot reach ${host} (${code}: ${message}); the network may be offline or the server down. ${manualInstructions(opts)}`,
    'offline', opts.url, { code, cause },
  );
}

function exhausted(err: DownloadError, opts: DownloadOptions, part: string, attempts: number): DownloadError {
  return new DownloadError(
    `${err.message} (gave up after ${attempts} attempt${attempts > 1 ? 's' : ''}; the partial file ${part} is kept and the next download resumes from it). ` +
      manualInstructions(opts),
    err.kind, err.url, { status: err.status, code: err.code, cause: err },
  );
}

function httpError(status: number, statusText: string | undefined, answeredUrl: string, url: string): DownloadError {
  const retryable = status === 408 || status === 429 || status >= 500;
  const via = answeredUrl !== url ? ` (redirected from ${url})` : '';
  return new DownloadError(`HTTP ${status}${statusText ? ` ${statusText}` : ''} for ${answeredUrl}${via}`, 'http', url, { status, retryable });
}

function parseContentRange(h: string | undefined): { start: number; end: number; total?: number } | undefined {
  const m = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(h?.trim() ?? '');
  if (!m) return undefined;
  return { start: Number(m[1]), end: Number(m[2]), ...(m[3] !== '*' && { total: Number(m[3]) }) };
}

function parseUnsatisfiedRange(h: string | undefined): number | undefined {
  const m = /^bytes \*\/(\d+)$/.exec(h?.trim() ?? '');
  return m ? Number(m[1]) : undefined;
}

function contentLength(h: string | undefined): number | undefined {
  return h !== undefined && /^\d+$/.test(h) ? Number(h) : undefined;
}

async function fileSize(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

function pause(ms: number, signal: AbortSignal | undefined, url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(cancelledError(url));
    const onAbort = () => {
      clearTimeout(timer);
      reject(cancelledError(url));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

// ---------------------------------------------------------------------------------------------

export interface EnsureOptions
  extends Pick<DownloadOptions, 'signal' | 'onProgress' | 'retries' | 'headers' | 'manualFolder' | 'retryDelayMs' | 'timeoutMs'> {
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
export async function findVerifiedCopy(entry: WeightsEntry, storageDir: string, signal?: AbortSignal): Promise<{ path: string; sha256: string } | undefined> {
  const path = join(storageDir, entry.fileName);
  const known = await currentHash(path, signal);
  if (known && hashMatches(known.sha256, entry)) return { path, sha256: known.sha256 };
  return undefined;
}

const inFlight = new Map<string, Promise<EnsureResult>>();

/**
 * Makes sure `storageDir/<fileName>` holds the verified weights: never downloads while a
 * verified copy exists; a copy that fails verification is deleted and fetched again.
 * Concurrent calls for the same file in this process share one download.
 */
export function ensureWeights(entry: WeightsEntry, storageDir: string, opts: EnsureOptions = {}): Promise<EnsureResult> {
  const dest = join(storageDir, entry.fileName);
  const running = inFlight.get(dest);
  if (running) return running;
  const p = ensureOnce(entry, storageDir, dest, opts).finally(() => inFlight.delete(dest));
  inFlight.set(dest, p);
  return p;
}

async function ensureOnce(entry: WeightsEntry, storageDir: string, dest: string, opts: EnsureOptions): Promise<EnsureResult> {
  const existing = await findVerifiedCopy(entry, storageDir, opts.signal);
  if (existing) return { ...existing, downloaded: false, resumed: false };
  await removeWithSidecar(dest); // a copy that failed verification, if any
  const r = await downloadVerified({
    url: resolveDownloadUrl(entry, opts.mirror),
    dest,
    sha256: entry.sha256,
    sha256Prefix: entry.sha256Prefix,
    size: entry.size,
    fileName: entry.fileName,
    signal: opts.signal,
    onProgress: opts.onProgress,
    retries: opts.retries,
    headers: opts.headers,
    manualFolder: opts.manualFolder ?? storageDir,
    retryDelayMs: opts.retryDelayMs,
    timeoutMs: opts.timeoutMs,
  });
  await writeSidecar(r.path, r.sha256);
  return { path: r.path, sha256: r.sha256, downloaded: true, resumed: r.resumed };
}
