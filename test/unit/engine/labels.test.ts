import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { imagenetLabels } from '../../../src/engine/labels';

test('1000 ImageNet classes in index order with unique synsets', () => {
  const labels = imagenetLabels();
  assert.equal(labels.length, 1000);
  assert.deepEqual({ synset: labels[0].synset, name: labels[0].name }, { synset: 'n01440764', name: 'tench' });
  assert.equal(labels[999].synset, 'n15075141');
  assert.equal(labels[999].name, 'toilet tissue');
  assert.equal(new Set(labels.map((l) => l.synset)).size, 1000);
  for (const l of labels) {
    assert.match(l.synset, /^n\d{8}$/);
    assert.ok(l.name && l.description.startsWith(l.name), l.synset);
  }
  // torchvision's short names repeat twice; only the synset tells the bird from the machine.
  assert.deepEqual(labels.filter((l) => l.name === 'crane').map((l) => l.synset), ['n02012849', 'n03126707']);
  assert.equal(labels.filter((l) => l.name === 'maillot').length, 2);
  assert.throws(() => {
    (labels[0] as { name: string }).name = 'changed';
  });
});

test('the committed labels match Caffe synset_words.txt line by line', (t) => {
  const src = '../shared/data/labels/synset_words.txt';
  if (!existsSync(src)) return t.skip(`${src} is absent (checked on machines that have the shared data)`);
  const lines = readFileSync(src, 'utf8').split('\n').filter((l) => l.trim());
  assert.equal(lines.length, 1000);
  imagenetLabels().forEach((l, i) => assert.equal(`${l.synset} ${l.description}`, lines[i]));
});

test('labels load from an esbuild bundle in dist/ (weights/ beside it)', async () => {
  const esbuild = await import('esbuild');
  const { mkdtempSync, cpSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const root = mkdtempSync(join(tmpdir(), 'alexnet-labels-'));
  try {
    cpSync('weights/imagenet_classes.json', join(root, 'weights/imagenet_classes.json'));
    cpSync('weights/manifest.json', join(root, 'weights/manifest.json'));
    const out = join(root, 'dist/labels.js');
    await esbuild.build({ entryPoints: ['src/engine/labels.ts'], bundle: true, platform: 'node', format: 'cjs', outfile: out, logLevel: 'silent' });
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const bundled = require(out) as typeof import('../../../src/engine/labels');
    const labels = bundled.imagenetLabels();
    assert.equal(labels.length, 1000);
    assert.equal(labels[0].synset, 'n01440764');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
