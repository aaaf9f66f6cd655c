// Layer-by-layer parity with PyTorch on the FULL-size networks (random weights), once:
//   npx tsx scripts/parity-full.ts [--out tmp/parity-full] [--regen]
// Writes ~1 GB of weight files with test/fixtures/make_parity.py --full (never commit them),
// loads them through the real loaders and compares every layer of alexnet.ts's forward pass
// (tfjs cpu backend) with PyTorch's. Exit code 1 if any layer's max abs error >= 1e-4 * max |reference|.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { makeSpec, VariantName } from '../src/engine/model/spec';
import { loadWeightsFile } from '../src/engine/weights/loadWeights';
import { compareWithReference, fixtureInput, referenceActivations } from '../test/helpers/parity';

const TOLERANCE = 1e-4;
const root = resolve(__dirname, '..');
const args = process.argv.slice(2);
const outIdx = args.indexOf('--out');
const out = resolve(root, outIdx >= 0 ? args[outIdx + 1] : 'tmp/parity-full');

async function main(): Promise<void> {
  if (args.includes('--regen') || !existsSync(join(out, 'spec.json'))) {
    console.log(`writing full-size networks and references to ${out} (PyTorch, takes a minute)...`);
    const t0 = Date.now();
    const r = spawnSync('/usr/bin/python3', [join(root, 'test/fixtures/make_parity.py'), '--full', '--out', out], { stdio: 'inherit' });
    if (r.status !== 0) throw new Error('make_parity.py --full failed');
    console.log(`  done in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  }
  await tf.setBackend('cpu');
  const cases: [string, string, VariantName, string][] = [
    ['torchvision.pth', 'torchvision_ref.npz', 'torchvision', 'torchvision'],
    ['paper.pth', 'paper_ref.npz', 'paper', 'paper'],
    ['caffe.pth', 'caffe_ref.npz', 'caffe', 'caffe'],
    ['caffe.npy', 'caffe_ref.npz', 'caffe', 'caffe'],
    ['caffe.npy', 'caffe_ref.npz', 'paper', 'caffe .npy expanded to paper'],
  ];
  let worst = 0;
  for (const [file, refs, variant, title] of cases) {
    const spec = makeSpec(variant);
    const t0 = Date.now();
    const loaded = await loadWeightsFile(join(out, file), spec);
    const tLoad = Date.now() - t0;
    const input = fixtureInput(out, spec);
    const t1 = Date.now();
    const errors = compareWithReference(spec, loaded.params, input, referenceActivations(join(out, refs)));
    const tFwd = Date.now() - t1;
    input.dispose();
    console.log(`\n${title} (${file}): load ${tLoad} ms, forward+compare ${tFwd} ms`);
    console.log('  layer      max|err|     max|ref|     err/scale');
    for (const e of errors) {
      console.log(`  ${e.layer.padEnd(9)} ${e.maxAbsError.toExponential(2).padStart(10)} ${e.scale.toExponential(2).padStart(12)} ${e.relative.toExponential(2).padStart(12)}${e.relative < TOLERANCE ? '' : '   FAIL'}`);
      worst = Math.max(worst, e.relative);
    }
  }
  console.log(`\nworst err/scale ${worst.toExponential(2)} (tolerance ${TOLERANCE})`);
  process.exitCode = worst < TOLERANCE ? 0 : 1;
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
