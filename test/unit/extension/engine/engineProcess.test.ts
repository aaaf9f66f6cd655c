// The engine as the extension runs it: a child process behind EngineClient. Needs dist/engine.js
// (npm test builds first). Uses the cpu backend so it does not depend on wasm threads.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, linkSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EngineClient, EngineError } from '../../../../src/extension/engine/client';
import type { ClassifyItem } from '../../../../src/protocol/engine';
import { REPO_ROOT } from '../../../helpers/paths';
import { listImages, MAX_FOLDER_IMAGES } from '../../../../src/extension/classify/listImages';

const root = REPO_ROOT;
const enginePath = join(root, 'dist/engine.js');
const img = (name: string) => join(root, 'test/fixtures/images', name);

let client: EngineClient;
let starts = 0;
const logs: string[] = [];

before(() => {
  assert.ok(existsSync(enginePath), 'dist/engine.js is missing: run `npm run build` first');
  client = new EngineClient({
    enginePath,
    onLog: (level, message) => logs.push(`${level}: ${message}`),
    onStart: async (c) => {
      starts++;
      await c.send('init', { backend: 'cpu' });
      await c.send('loadModel', { variant: 'torchvision', weights: { kind: 'random', seed: 7 } });
    },
  });
});
after(() => client.dispose());

test('classifies good images and reports each bad one without failing the others', { timeout: 120_000 }, async () => {
  const progress: number[] = [];
  const res = await client.request(
    'classify',
    { paths: [img('rgb.jpg'), img('empty.jpg'), img('not-an-image.jpg'), img('truncated.jpg'), img('huge-dimensions.png'), img('rgba.png')], topK: 5 },
    { onEvent: (e) => e.kind === 'progress' && progress.push(Number(e.done)) },
  );
  const byName: Record<string, ClassifyItem> = Object.fromEntries(res.items.map((i) => [i.path.split('/').pop(), i]));
  for (const good of ['rgb.jpg', 'rgba.png']) {
    const item = byName[good];
    assert.ok(item.ok, `${good} should classify`);
    if (!item.ok) continue;
    assert.equal(item.predictions.length, 5);
    const probs = item.predictions.map((p) => p.probability);
    assert.deepEqual([...probs].sort((a, b) => b - a), probs, 'sorted by probability');
    assert.ok(probs.reduce((a, b) => a + b, 0) <= 1 + 1e-6);
    assert.match(item.predictions[0].synset ?? '', /^n\d{8}$/);
  }
  const codes = Object.fromEntries(res.items.filter((i) => !i.ok).map((i) => [i.path.split('/').pop(), (i as { code: string }).code]));
  assert.deepEqual(codes, { 'empty.jpg': 'empty', 'not-an-image.jpg': 'not-an-image', 'truncated.jpg': 'truncated', 'huge-dimensions.png': 'too-large' });
  assert.ok(res.model.untrained, 'random weights are labelled untrained');
  assert.equal(progress[progress.length - 1], 6);
});

test('untrained (random) weights still give answers that depend on the image', { timeout: 120_000 }, async () => {
  const res = await client.request('classify', { paths: [img('rgb.jpg'), img('grey.jpg')], topK: 3 });
  const [a, b] = res.items;
  assert.ok(a.ok && b.ok);
  if (!a.ok || !b.ok) return;
  assert.notDeepEqual(
    a.predictions.map((p) => p.probability.toFixed(6)),
    b.predictions.map((p) => p.probability.toFixed(6)),
  );
});

test('a weights file of the wrong variant gets a message listing the problems', { timeout: 120_000 }, async () => {
  await assert.rejects(
    client.request('loadModel', { variant: 'paper', weights: { kind: 'file', path: join(root, 'test/fixtures/parity/torchvision.pth') } }),
    (err: EngineError) => err.code === 'bad-weights' && /mis-?shaped|expected/i.test(err.message),
  );
  // The previous model stays usable.
  const res = await client.request('classify', { paths: [img('rgb.jpg')], topK: 1 });
  assert.ok(res.items[0].ok);
});

test('a pickle that tries to run code is refused, naming the global', { timeout: 60_000 }, async () => {
  await assert.rejects(
    client.request('loadModel', { variant: 'torchvision', weights: { kind: 'file', path: join(root, 'test/fixtures/parity/evil.pth') } }),
    (err: EngineError) => err.code === 'bad-weights' && /Refusing to load.*global/.test(err.message),
  );
});

test('a crash rejects the request clearly and the next request restarts the engine', { timeout: 180_000 }, async () => {
  const pid = client.pid;
  assert.ok(pid);
  const pending = client.request('classify', { paths: Array(32).fill(img('rgb.jpg')), topK: 1 });
  setTimeout(() => process.kill(pid!, 'SIGKILL'), 200);
  await assert.rejects(pending, (err: EngineError) => err.code === 'engine-crashed' && /stopped unexpectedly/.test(err.message));
  const startsBefore = starts;
  const res = await client.request('classify', { paths: [img('rgb.jpg')], topK: 1 });
  assert.ok(res.items[0].ok);
  assert.equal(starts, startsBefore + 1, 'restarted once, with init + loadModel re-sent');
  assert.notEqual(client.pid, pid);
});

test('cancel stops a long classification', { timeout: 180_000 }, async () => {
  const controller = new AbortController();
  const pending = client.request('classify', { paths: Array(400).fill(img('rgb.jpg')), topK: 1 }, {
    signal: controller.signal,
    onEvent: (e) => e.kind === 'progress' && controller.abort(),
  });
  await assert.rejects(pending, (err: EngineError) => err.code === 'cancelled');
  // Still (or again) usable afterwards.
  const res = await client.request('status', {});
  assert.equal(res.model?.variant, 'torchvision');
});

test('an idle engine can be stopped to give its memory back; a busy one is not; the next request starts a new one', { timeout: 180_000 }, async () => {
  await client.request('classify', { paths: [img('rgb.jpg')], topK: 1 });
  const pending = client.request('classify', { paths: Array(8).fill(img('rgb.jpg')), topK: 1 });
  assert.equal(client.stopIfIdle(), false, 'busy: a request is waiting');
  await pending;
  const pid = client.pid!;
  const startsBefore = starts;
  assert.equal(client.stopIfIdle(), true);
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(client.running, false);
  assert.ok(logs.some((l) => l === 'info: engine stopped: idle'), 'logged as a stop, not a crash');
  const res = await client.request('classify', { paths: [img('rgb.jpg')], topK: 1 });
  assert.ok(res.items[0].ok);
  assert.equal(starts, startsBefore + 1);
  assert.notEqual(client.pid, pid);
});

test('Classify Folder on 5,000 images: the folder list and one classify request of 5,000 paths', { timeout: 300_000 }, async () => {
  // The same list the CLI test passes on its command line, here as Classify Folder sends it.
  const dir = mkdtempSync(join(tmpdir(), 'alexnet-folder-5000-'));
  copyFileSync(img('rgb.jpg'), join(dir, '.photo.jpg')); // hidden: not listed itself
  copyFileSync(img('not-an-image.jpg'), join(dir, '.text.jpg'));
  for (let i = 0; i < 5000; i++) linkSync(join(dir, i % 500 === 0 ? '.photo.jpg' : '.text.jpg'), join(dir, `photo-${String(i).padStart(6, '0')}-`.padEnd(46, 'n') + '.jpg'));
  const { paths, truncated } = await listImages(dir);
  assert.equal(MAX_FOLDER_IMAGES, 5000);
  assert.equal(paths.length, 5000);
  assert.equal(truncated, false);
  const res = await client.request('classify', { paths, topK: 1 });
  assert.equal(res.items.length, 5000);
  assert.deepEqual(res.items.map((i) => i.ok), paths.map((_, n) => n % 500 === 0));
});
