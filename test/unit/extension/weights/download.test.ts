// The downloader against a loopback HTTP server this file starts (127.0.0.1, port 0) that
// serves random files and misbehaves on request: cuts connections, ignores Range, redirects.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { downloadVerified, DownloadError, ensureWeights, findVerifiedCopy, isCancellation } from '../../../../src/extension/weights/download';
import type { WeightsEntry } from '../../../../src/extension/weights/manifest';

const T = { timeout: 20_000 };
const FILE = randomBytes(3 * 1024 * 1024 + 123); // not a multiple of any chunk size
const SHA = createHash('sha256').update(FILE).digest('hex');

interface Seen { path: string; range?: string }
let server: Server;
let base: string;
let seen: Seen[] = [];
const cutOnce = new Set<string>(); // paths whose next request is cut halfway
const stallOnce = new Set<string>(); // paths whose next request sends half, then nothing

function send(req: IncomingMessage, res: ServerResponse, body: Buffer, rangeSupport: boolean, slow: boolean) {
  let start = 0;
  const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
  if (m && rangeSupport) {
    start = Number(m[1]);
    if (start >= body.length) {
      res.writeHead(416, { 'content-range': `bytes */${body.length}` }).end();
      return;
    }
    res.writeHead(206, { 'content-length': body.length - start, 'content-range': `bytes ${start}-${body.length - 1}/${body.length}`, 'accept-ranges': 'bytes' });
  } else {
    res.writeHead(200, { 'content-length': body.length });
  }
  const rest = body.subarray(start);
  if (cutOnce.delete(req.url!)) {
    // Send about half, then drop the connection mid-body.
    res.write(rest.subarray(0, rest.length >> 1), () => res.socket?.destroy());
    return;
  }
  if (stallOnce.delete(req.url!)) return void res.write(rest.subarray(0, rest.length >> 1));
  if (!slow) return void res.end(rest);
  let i = 0;
  const step = 64 * 1024;
  const timer = setInterval(() => {
    if (res.destroyed) return clearInterval(timer);
    res.write(rest.subarray(i, i + step));
    i += step;
    if (i >= rest.length) {
      clearInterval(timer);
      res.end();
    }
  }, 10);
  res.on('close', () => clearInterval(timer));
}

before(async () => {
  server = createServer((req, res) => {
    const path = new URL(req.url!, 'http://x').pathname;
    seen.push({ path, range: req.headers.range });
    if (path === '/file.bin' || path === '/mirror/alexnet-test.bin' || path === '/cut.bin') return send(req, res, FILE, true, false);
    if (path === '/norange.bin') return send(req, res, FILE, false, false);
    if (path === '/slow.bin') return send(req, res, FILE, true, true);
    if (path === '/redirect') return void res.writeHead(302, { location: '/redirect2' }).end();
    if (path === '/redirect2') return void res.writeHead(301, { location: `${base}/file.bin` }).end();
    if (path === '/loop') return void res.writeHead(302, { location: '/loop' }).end();
    res.writeHead(404).end('not here');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(() => {
  server.closeAllConnections();
  server.close();
});

function tmp(): string {
  const dir = mkdtempSync(join(tmpdir(), 'alexnet-dl-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  seen = [];
  cutOnce.clear();
  stallOnce.clear();
  return dir;
}

const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');

test('downloads a complete file, verifies it and reports progress', T, async () => {
  const dir = tmp();
  const dest = join(dir, 'w.bin');
  const progress: { received: number; total?: number; bytesPerSecond: number }[] = [];
  const r = await downloadVerified({ url: `${base}/file.bin`, dest, sha256: SHA, size: FILE.length, onProgress: (p) => progress.push(p) });
  assert.equal(r.sha256, SHA);
  assert.equal(r.bytes, FILE.length);
  assert.equal(r.resumed, false);
  assert.equal(sha(dest), SHA);
  assert.ok(!existsSync(`${dest}.part`));
  assert.equal(seen.length, 1);
  assert.equal(seen[0].range, undefined);
  const last = progress[progress.length - 1];
  assert.equal(last.received, FILE.length);
  assert.equal(last.total, FILE.length);
  assert.ok(last.bytesPerSecond > 0);
});

test('a connection cut halfway is resumed with Range within the same call', T, async () => {
  const dir = tmp();
  const dest = join(dir, 'w.bin');
  cutOnce.add('/cut.bin');
  const r = await downloadVerified({ url: `${base}/cut.bin`, dest, sha256: SHA, retryDelayMs: 10 });
  assert.equal(seen.length, 2);
  assert.equal(seen[0].range, undefined);
  const m = /^bytes=(\d+)-$/.exec(seen[1].range ?? '');
  assert.ok(m, `second request should ask for a range, got ${seen[1].range}`);
  const offset = Number(m[1]);
  assert.ok(offset > 0 && offset < FILE.length, `resumed at ${offset}`);
  assert.equal(r.resumed, true);
  assert.equal(r.sha256, SHA);
  assert.equal(sha(dest), SHA);
});

test('with no retries a cut keeps the .part and a later call resumes from it', T, async () => {
  const dir = tmp();
  const dest = join(dir, 'w.bin');
  cutOnce.add('/cut.bin');
  await assert.rejects(downloadVerified({ url: `${base}/cut.bin`, dest, sha256: SHA, retries: 0 }), (e: unknown) => {
    assert.ok(e instanceof DownloadError);
    assert.equal(e.kind, 'network');
    assert.match(e.message, /resumes/);
    return true;
  });
  const kept = statSync(`${dest}.part`).size;
  assert.ok(kept > 0 && kept < FILE.length);
  assert.deepEqual(FILE.subarray(0, kept), readFileSync(`${dest}.part`));
  const r = await downloadVerified({ url: `${base}/cut.bin`, dest, sha256: SHA, retries: 0 });
  assert.equal(seen[1].range, `bytes=${kept}-`);
  assert.equal(r.resumed, true);
  assert.equal(sha(dest), SHA);
});

test('a stalled transfer times out and resumes', T, async () => {
  const dir = tmp();
  const dest = join(dir, 'w.bin');
  stallOnce.add('/file.bin');
  const r = await downloadVerified({ url: `${base}/file.bin`, dest, sha256: SHA, timeoutMs: 300, retryDelayMs: 10 });
  assert.equal(seen.length, 2);
  assert.match(seen[1].range ?? '', /^bytes=\d+-$/);
  assert.equal(r.resumed, true);
  assert.equal(sha(dest), SHA);
});

test('a server that ignores Range (200) restarts from zero and still yields the right file', T, async () => {
  const dir = tmp();
  const dest = join(dir, 'w.bin');
  cutOnce.add('/norange.bin');
  const r = await downloadVerified({ url: `${base}/norange.bin`, dest, sha256: SHA, size: FILE.length, retryDelayMs: 10 });
  assert.equal(seen.length, 2);
  assert.match(seen[1].range ?? '', /^bytes=\d+-$/);
  assert.equal(r.resumed, false);
  assert.equal(r.bytes, FILE.length);
  assert.equal(sha(dest), SHA);
});

test('a .part already holding the whole file is finished after a 416', T, async () => {
  const dir = tmp();
  const dest = join(dir, 'w.bin');
  writeFileSync(`${dest}.part`, FILE);
  const r = await downloadVerified({ url: `${base}/file.bin`, dest, sha256: SHA }); // no size: must ask the server
  assert.equal(seen.length, 1);
  assert.equal(seen[0].range, `bytes=${FILE.length}-`);
  assert.equal(r.resumed, true);
  assert.equal(sha(dest), SHA);
});

test('a .part longer than the file is discarded after a 416 and fetched again', T, async () => {
  const dir = tmp();
  const dest = join(dir, 'w.bin');
  writeFileSync(`${dest}.part`, Buffer.concat([FILE, Buffer.from('junk')]));
  const r = await downloadVerified({ url: `${base}/file.bin`, dest, sha256: SHA });
  assert.equal(seen.length, 2);
  assert.equal(seen[1].range, undefined);
  assert.equal(r.resumed, false);
  assert.equal(sha(dest), SHA);
});

test('a wrong checksum is rejected, naming both hashes, and leaves no file', T, async () => {
  const dir = tmp();
  const dest = join(dir, 'w.bin');
  const wrong = 'ab'.repeat(32);
  await assert.rejects(downloadVerified({ url: `${base}/file.bin`, dest, sha256: wrong }), (e: unknown) => {
    assert.ok(e instanceof DownloadError);
    assert.equal(e.kind, 'checksum');
    assert.ok(e.message.includes(wrong), e.message);
    assert.ok(e.message.includes(SHA), e.message);
    return true;
  });
  assert.ok(!existsSync(dest));
  assert.ok(!existsSync(`${dest}.part`));
});

test('a hash prefix is enough to accept (torch.hub style) or reject a file', T, async () => {
  const dir = tmp();
  const ok = await downloadVerified({ url: `${base}/file.bin`, dest: join(dir, 'a.bin'), sha256Prefix: SHA.slice(0, 8) });
  assert.equal(ok.sha256, SHA);
  const bad = SHA.slice(0, 7) + (SHA[7] === '0' ? '1' : '0');
  await assert.rejects(downloadVerified({ url: `${base}/file.bin`, dest: join(dir, 'b.bin'), sha256Prefix: bad }), /expected SHA-256 [0-9a-f]{8}\.\.\. \(prefix\)/);
  assert.ok(!existsSync(join(dir, 'b.bin')));
});

test('a wrong expected size is rejected before the body is stored', T, async () => {
  const dir = tmp();
  const dest = join(dir, 'w.bin');
  await assert.rejects(downloadVerified({ url: `${base}/file.bin`, dest, size: FILE.length + 1 }), (e: unknown) => {
    assert.ok(e instanceof DownloadError);
    assert.equal(e.kind, 'size');
    return true;
  });
  assert.ok(!existsSync(dest));
});

test('404 gives a clear HTTP error with the status and URL, without retrying', T, async () => {
  const dir = tmp();
  const url = `${base}/nothing.bin`;
  await assert.rejects(downloadVerified({ url, dest: join(dir, 'w.bin'), retries: 3, retryDelayMs: 10 }), (e: unknown) => {
    assert.ok(e instanceof DownloadError);
    assert.equal(e.kind, 'http');
    assert.equal(e.status, 404);
    assert.ok(e.message.includes('404') && e.message.includes(url), e.message);
    return true;
  });
  assert.equal(seen.length, 1);
});

test('redirects are followed (relative and absolute), and loops are stopped', T, async () => {
  const dir = tmp();
  const r = await downloadVerified({ url: `${base}/redirect`, dest: join(dir, 'w.bin'), sha256: SHA });
  assert.equal(r.sha256, SHA);
  assert.deepEqual(seen.map((s) => s.path), ['/redirect', '/redirect2', '/file.bin']);
  await assert.rejects(downloadVerified({ url: `${base}/loop`, dest: join(dir, 'l.bin'), maxRedirects: 5 }), /Too many redirects/);
});

test('cancel mid-way stops promptly, keeps the .part, and a later call resumes', T, async () => {
  const dir = tmp();
  const dest = join(dir, 'w.bin');
  const ac = new AbortController();
  let abortedAt = 0;
  const started = Date.now();
  await assert.rejects(
    downloadVerified({
      url: `${base}/slow.bin`, dest, sha256: SHA, signal: ac.signal, progressIntervalMs: 0,
      onProgress: (p) => {
        if (p.received >= 512 * 1024 && !abortedAt) {
          abortedAt = Date.now();
          ac.abort();
        }
      },
    }),
    (e: unknown) => {
      assert.ok(isCancellation(e), String(e));
      assert.ok(e instanceof DownloadError && e.kind === 'cancelled' && e.name === 'AbortError');
      return true;
    },
  );
  assert.ok(Date.now() - abortedAt < 1000, 'stops within a second of the abort');
  assert.ok(Date.now() - started < 5000);
  const kept = statSync(`${dest}.part`).size;
  assert.ok(kept >= 512 * 1024 && kept < FILE.length, `kept ${kept}`);
  assert.deepEqual(FILE.subarray(0, kept), readFileSync(`${dest}.part`));
  assert.ok(!existsSync(dest));
  const r = await downloadVerified({ url: `${base}/file.bin`, dest, sha256: SHA });
  assert.equal(seen[seen.length - 1].range, `bytes=${kept}-`);
  assert.equal(r.resumed, true);
  assert.equal(sha(dest), SHA);
});

test('an already aborted signal makes no request', T, async () => {
  const dir = tmp();
  const ac = new AbortController();
  ac.abort();
  await assert.rejects(downloadVerified({ url: `${base}/file.bin`, dest: join(dir, 'w.bin'), signal: ac.signal }), (e) => isCancellation(e));
  assert.equal(seen.length, 0);
});

test('connection refused says what to download and where to put it', T, async () => {
  const dir = tmp();
  const closed = createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
  const port = (closed.address() as AddressInfo).port;
  await new Promise<void>((r) => closed.close(() => r()));
  const url = `http://127.0.0.1:${port}/models/alexnet-owt-7be5be79.pth`;
  const folder = join(dir, 'weights-folder');
  await assert.rejects(
    downloadVerified({ url, dest: join(folder, 'alexnet-owt-7be5be79.pth'), size: 244_408_911, manualFolder: folder }),
    (e: unknown) => {
      assert.ok(e instanceof DownloadError);
      assert.equal(e.kind, 'offline');
      assert.equal(e.code, 'ECONNREFUSED');
      for (const part of [url, 'alexnet-owt-7be5be79.pth', '244408911', folder, 'Load Weights from File']) {
        assert.ok(e.message.includes(part), `message lacks ${part}: ${e.message}`);
      }
      return true;
    },
  );
});

function entry(): WeightsEntry {
  return {
    id: 'test', fileName: 'alexnet-test.bin', url: `${base}/file.bin`, sha256: SHA, size: FILE.length,
    variants: ['torchvision'], format: 'bytes', license: 'none', provenance: 'test',
  };
}

test('ensureWeights downloads once, then trusts the sidecar and makes no request', T, async () => {
  const dir = tmp();
  const first = await ensureWeights(entry(), dir);
  assert.equal(first.downloaded, true);
  assert.equal(seen.length, 1);
  assert.ok(existsSync(join(dir, 'alexnet-test.bin.sha256')));
  const second = await ensureWeights(entry(), dir);
  assert.equal(second.downloaded, false);
  assert.equal(second.sha256, SHA);
  assert.equal(seen.length, 1, 'no request for a verified copy');
  // A touched file is re-hashed (still no download); a corrupted one is fetched again.
  const path = join(dir, 'alexnet-test.bin');
  utimesSync(path, new Date(), new Date(Date.now() + 5000));
  assert.equal((await ensureWeights(entry(), dir)).downloaded, false);
  assert.equal(seen.length, 1);
  const side = JSON.parse(readFileSync(`${path}.sha256`, 'utf8')) as { sha256: string; mtimeMs: number };
  assert.equal(side.mtimeMs, statSync(path).mtimeMs, 'sidecar rewritten after the re-hash');
  assert.equal(side.sha256, SHA);
  const bad = Buffer.from(FILE);
  bad[1000] ^= 0xff;
  writeFileSync(path, bad);
  assert.equal(await findVerifiedCopy(entry(), dir), undefined);
  const again = await ensureWeights(entry(), dir);
  assert.equal(again.downloaded, true);
  assert.equal(seen.length, 2);
  assert.equal(sha(path), SHA);
});

test('ensureWeights fetches from the mirror when one is set, and shares concurrent calls', T, async () => {
  const dir = tmp();
  const [a, b] = await Promise.all([
    ensureWeights(entry(), dir, { mirror: `${base}/mirror/` }),
    ensureWeights(entry(), dir, { mirror: `${base}/mirror/` }),
  ]);
  assert.deepEqual(seen.map((s) => s.path), ['/mirror/alexnet-test.bin']);
  assert.equal(a.sha256, SHA);
  assert.equal(b.path, a.path);
});
