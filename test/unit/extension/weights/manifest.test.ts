import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { entryForVariant, loadManifest, parseManifest, resolveDownloadUrl } from '../../../../src/extension/weights/manifest';
import { weightsDataDir } from '../../../../src/engine/weights/dataDir';
import { REPO_ROOT } from '../../../helpers/paths';

test('weights/manifest.json loads and covers every variant', () => {
  const m = loadManifest();
  for (const v of ['paper', 'caffe', 'torchvision'] as const) assert.ok(entryForVariant(m, v), `no weights for ${v}`);
  const tv = entryForVariant(m, 'torchvision')!;
  assert.equal(tv.fileName, 'alexnet-owt-7be5be79.pth');
  assert.equal(tv.url, 'https://download.pytorch.org/models/alexnet-owt-7be5be79.pth');
  // torchvision names its files after the SHA-256's first 8 hex digits.
  assert.ok(tv.sha256?.startsWith('7be5be79'));
  assert.equal(tv.size, 244_408_911);
  assert.equal(tv.license, 'BSD-3-Clause');
  const bvlc = entryForVariant(m, 'caffe')!;
  assert.equal(bvlc, entryForVariant(m, 'paper'));
  assert.equal(bvlc.fileName, 'bvlc_alexnet.npy');
  assert.equal(bvlc.size, 243_861_814);
  assert.match(bvlc.license, /unrestricted/);
  for (const w of m.weights) {
    assert.ok(w.sha256 || w.sha256Prefix, w.id);
    assert.ok(w.provenance.length > 20, w.id);
  }
});

test('the weights folder is found from the sources', () => {
  assert.equal(weightsDataDir(), join(REPO_ROOT, 'weights'));
});

test('parseManifest reports every bad field', () => {
  const good = JSON.parse(readFileSync(join(weightsDataDir(), 'manifest.json'), 'utf8'));
  assert.doesNotThrow(() => parseManifest(good));
  const bad = structuredClone(good);
  bad.weights[0].url = 'ftp://example.com/x';
  bad.weights[0].sha256 = 'XYZ';
  bad.weights[1].variants = ['vgg'];
  bad.weights[1].fileName = '../evil.npy';
  delete bad.weights[1].license;
  assert.throws(() => parseManifest(bad, 'm.json'), (e: Error) => {
    for (const s of ['weights[0].url', 'weights[0].sha256', 'weights[1].variants', 'weights[1].fileName', 'weights[1].license']) {
      assert.ok(e.message.includes(s), `${s} not reported in: ${e.message}`);
    }
    return true;
  });
  const noHash = structuredClone(good);
  delete noHash.weights[0].sha256;
  delete noHash.weights[0].sha256Prefix;
  assert.throws(() => parseManifest(noHash), /needs sha256 or sha256Prefix/);
  const wrongPrefix = structuredClone(good);
  wrongPrefix.weights[0].sha256Prefix = '00000000';
  assert.throws(() => parseManifest(wrongPrefix), /does not start with sha256Prefix/);
  assert.throws(() => parseManifest({ schemaVersion: 2, weights: [] }), /schemaVersion/);
});

test('resolveDownloadUrl uses the mirror base when one is set', () => {
  const e = { url: 'https://download.pytorch.org/models/a.pth', fileName: 'a.pth' };
  assert.equal(resolveDownloadUrl(e), e.url);
  assert.equal(resolveDownloadUrl(e, '   '), e.url);
  assert.equal(resolveDownloadUrl(e, 'https://mirror.example.org/weights'), 'https://mirror.example.org/weights/a.pth');
  assert.equal(resolveDownloadUrl(e, 'http://10.0.0.2:8080/w//'), 'http://10.0.0.2:8080/w/a.pth');
  assert.throws(() => resolveDownloadUrl(e, 'not a url'), /not a URL/);
  assert.throws(() => resolveDownloadUrl(e, 'file:///tmp'), /http\(s\)/);
});
