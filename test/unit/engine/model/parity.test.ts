// Layer-by-layer parity with PyTorch: the committed fixtures (test/fixtures/make_parity.py) hold
// channel-reduced networks of every variant, their .pth / .npy files and PyTorch's output of every
// layer. They go through the real loaders and alexnet.ts's forward pass on the tfjs cpu backend.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { makeSpec, SpecOptions, VariantName } from '../../../../src/engine/model/spec';
import { loadWeightsFile } from '../../../../src/engine/weights/loadWeights';
import { compareWithReference, fixtureInput, referenceActivations } from '../../../helpers/parity';
import { FIXTURES } from '../../../helpers/paths';

const DIR = join(FIXTURES, 'parity');
const TOLERANCE = 1e-4; // max abs error < TOLERANCE * max |reference|, per layer

function smallSpec(variant: VariantName) {
  const s = JSON.parse(readFileSync(join(DIR, 'spec.json'), 'utf8'))[variant] as { conv: number[]; fc: number[]; classes: number };
  return makeSpec(variant, { convChannels: s.conv as SpecOptions['convChannels'], fcUnits: s.fc as [number, number], numClasses: s.classes });
}

before(async () => {
  await tf.setBackend('cpu');
});

const cases: { title: string; file: string; variant: VariantName; refs: string; expanded?: string[] }[] = [
  { title: 'torchvision .pth (torchvision keys)', file: 'torchvision.pth', variant: 'torchvision', refs: 'torchvision_ref.npz' },
  { title: 'paper .pth (notebook keys)', file: 'paper.pth', variant: 'paper', refs: 'paper_ref.npz' },
  { title: 'caffe .pth (notebook keys, grouped convs)', file: 'caffe.pth', variant: 'caffe', refs: 'caffe_ref.npz' },
  { title: 'caffe .npy (bvlc_alexnet.npy layout)', file: 'caffe.npy', variant: 'caffe', refs: 'caffe_ref.npz' },
  // Grouped weights expanded block-diagonally compute the same function as the grouped network.
  { title: 'caffe .npy loaded as paper', file: 'caffe.npy', variant: 'paper', refs: 'caffe_ref.npz', expanded: ['conv2', 'conv4', 'conv5'] },
  { title: 'caffe .pth loaded as paper', file: 'caffe.pth', variant: 'paper', refs: 'caffe_ref.npz', expanded: ['conv2', 'conv4', 'conv5'] },
];

for (const c of cases) {
  test(`every layer matches PyTorch: ${c.title}`, async () => {
    const spec = smallSpec(c.variant);
    const loaded = await loadWeightsFile(join(DIR, c.file), spec);
    assert.equal(loaded.variant, c.variant);
    assert.deepEqual(loaded.source.expandedGroups, c.expanded ?? []);
    const input = fixtureInput(DIR, spec);
    const errors = compareWithReference(spec, loaded.params, input, referenceActivations(join(DIR, c.refs)));
    input.dispose();
    assert.equal(errors.length, spec.layers.filter((l) => l.kind !== 'dropout').length);
    for (const e of errors) {
      assert.ok(e.scale > 0, `${e.layer}: reference is all zeros, the comparison would mean nothing`);
      assert.ok(e.relative < TOLERANCE, `${e.layer}: max abs error ${e.maxAbsError} vs scale ${e.scale} (${e.relative.toExponential(2)})`);
    }
  });
}

test('the file variant is detected from key names and shapes', async () => {
  const expect: Record<string, VariantName> = { 'torchvision.pth': 'torchvision', 'paper.pth': 'paper', 'caffe.pth': 'caffe', 'caffe.npy': 'caffe' };
  for (const [file, variant] of Object.entries(expect)) {
    const loaded = await loadWeightsFile(join(DIR, file));
    assert.equal(loaded.variant, variant, file);
    assert.deepEqual(loaded.spec, smallSpec(variant), file);
  }
});
