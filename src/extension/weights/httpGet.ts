// One GET over node:http/https that follows redirects (the official weight URLs redirect to
// CDNs) and can be aborted or timed out at any point, including mid-body.
import http from 'node:http';
import https from 'node:https';
import type { IncomingMessage } from 'node:http';
import { cancelledError, DownloadError } from './downloadErrors';

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

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

export async function openGet(url: string, opts: GetOptions): Promise<OpenResponse> {
  let current = url;
  for (let hop = 0; ; hop++) {
    const open = await getOnce(current, opts);
    const status = open.res.statusCode ?? 0;
    const location = open.res.headers.location;
    if (!REDIRECTS.has(status) || !location) return open;
    open.destroy();
    if (hop >= opts.maxRedirects) {
      throw new DownloadError(`Too many redirects (more than ${opts.maxRedirects}) starting from ${url}`, 'redirect', url);
    }
    current = new URL(location, current).toString();
  }
}

function getOnce(url: string, opts: GetOptions): Promise<OpenResponse> {
  return new Promise((resolve, reject) => {
    if (opts.signal?.aborted) return reject(cancelledError(url));
    const u = new URL(url);
    const mod = u.protocol === 'https:' ? https : u.protocol === 'http:' ? http : undefined;
    if (!mod) return reject(new DownloadError(`Unsupported protocol ${u.protocol} in ${url}`, 'redirect', url));
    const req = mod.get(u, {
      // identity: the SHA-256 is of the file's bytes, and Range offsets must count them
      headers: { 'user-agent': 'alexnet-explorer', 'accept-encoding': 'identity', ...opts.headers },
    });
    let res: IncomingMessage | undefined;
    const destroy = (err?: Error) => {
      opts.signal?.removeEventListener('abort', onAbort);
      // Destroying the response hands `err` to whoever reads the body; the request would not.
      if (res && !res.destroyed) res.destroy(err);
      if (!req.destroyed) req.destroy(res ? undefined : err);
    };
    const onAbort = () => destroy(cancelledError(url));
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    req.setTimeout(opts.timeoutMs, () => {
      const err = Object.assign(new Error(`No data from ${u.host} for ${opts.timeoutMs} ms`), { code: 'ETIMEDOUT' });
      destroy(err);
    });
    req.once('response', (r) => {
      res = r;
      r.once('end', () => opts.signal?.removeEventListener('abort', onAbort));
      resolve({ res: r, url, destroy });
    });
    // After the response arrived, failures surface through the body stream; keep them from
    // becoming unhandled 'error' events on the request.
    req.on('error', (err) => {
      opts.signal?.removeEventListener('abort', onAbort);
      reject(err);
    });
  });
}
