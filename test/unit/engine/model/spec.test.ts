import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countParams, describe as describeSpec, makeSpec } from '../../../../src/engine/model/spec';

test('parameter counts match the published networks', () => {
  assert.equal(countParams(makeSpec('paper')), 62_378_344);
  assert.equal(countParams(makeSpec('caffe')), 60_965_224);
  assert.equal(countParams(makeSpec('torchvision')), 61_100_840);
});

test('every variant reaches 6x6x256 before flatten and 1000 classes at the end', () => {
  for (const v of ['paper', 'caffe', 'torchvision'] as const) {
    const infos = describeSpec(makeSpec(v));
    const flatten = infos.findIndex((i) => i.layer.kind === 'flatten');
    assert.deepEqual(infos[flatten - 1].outputShape, [6, 6, 256], v);
    assert.deepEqual(infos[flatten].outputShape, [9216], v);
    assert.deepEqual(infos[infos.length - 1].outputShape, [1000], v);
  }
});

test('forward FLOPs per image agree with the known figures', () => {
  const gflops = (v: 'paper' | 'torchvision') => describeSpec(makeSpec(v)).reduce((a, b) => a + b.flops, 0) / 1e9;
  assert.ok(Math.abs(gflops('torchvision') - 1.428) < 0.001);
  assert.ok(Math.abs(gflops('paper') - 2.271) < 0.001);
});
