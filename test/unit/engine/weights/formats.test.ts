// File formats: torch.save zip and legacy .pth (views, dtypes), .npy (plain and Caffe object
// arrays), safetensors (round trip, metadata, atomic write), and the messages for bad files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeSpec, SpecOptions, VariantName } from '../../../../src/engine/model/spec';
import { loadWeightsFile, WeightsFileError } from '../../../../src/engine/weights/loadWeights';
import { WeightsMismatchError } from '../../../../src/engine/weights/fitToSpec';
import { PyDict } from '../../../../src/engine/weights/pickle';
import { readTorchFile } from '../../../../src/engine/weights/pytorch';
import { readNpy } from '../../../../src/engine/weights/npy';
import { encodeSafetensors, readSafetensors, saveSafetensors, writeSafetensors } from '../../../../src/engine/weights/safetensors';
import { saveWeightsFile } from '../../../../src/engine/weights/savedWeights';
import { FIXTURES } from '../../../helpers/paths';

const DIR = join(FIXTURES, 'parity');
const tmp = () => mkdtempSync(join(tmpdir(), 'alexnet-weights-'));

function smallSpec(variant: VariantName) {
  const s = JSON.parse(readFileSync(join(DIR, 'spec.json'), 'utf8'))[variant] as { conv: number[]; fc: number[]; classes: number };
  return makeSpec(variant, { convChannels: s.conv as SpecOptions['convChannels'], fcUnits: s.fc as [number, number], numClasses: s.classes });
}

function tensors(obj: unknown): Record<string, { shape: number[]; data: number[] }> {
  assert.ok(obj instanceof PyDict);
  const out: Record<string, { shape: number[]; data: number[] }> = {};
  for (const [k, v] of obj) {
    const t = v as { shape: number[]; data: Float32Array };
    out[String(k)] = { shape: t.shape, data: [...t.data] };
  }
  return out;
}

const VIEWS = {
  a: { shape: [2, 3], data: [0, 1, 2, 3, 4, 5] },
  b: { shape: [2, 2], data: [0, 2, 1, 3] }, // double, transposed (stride (1, 2))
  c: { shape: [2], data: [0.5, -2] }, // half
  d: { shape: [3], data: [2, 3, 4] }, // storage offset 2
  e: { shape: [2, 2], data: [6, 7, 8, 9] }, // same storage, offset 6
};

test('torch.save zip: storage offsets, strides, half and double tensors come out contiguous float32', () => {
  assert.deepEqual(tensors(readTorchFile(readFileSync(join(DIR, 'views.pth')))), VIEWS);
});

test('torch.save legacy (pre-1.6, non-zip) format reads the same tensors', () => {
  assert.deepEqual(tensors(readTorchFile(readFileSync(join(DIR, 'legacy.pth')))), VIEWS);
});

test('the inner folder name is not assumed: a renamed .pth (different stem) still loads', async () => {
  const dir = tmp();
  const path = join(dir, 'renamed-weights.pth');
  writeFileSync(path, readFileSync(join(DIR, 'torchvision.pth')));
  const loaded = await loadWeightsFile(path, smallSpec('torchvision'));
  assert.equal(loaded.variant, 'torchvision');
});

test('a truncated .pth gets a clear message, wherever it is cut', async () => {
  const full = readFileSync(join(DIR, 'torchvision.pth'));
  const dir = tmp();
  for (const keep of [100, Math.floor(full.length / 2), full.length - 30, full.length - 200]) {
    const path = join(dir, `cut${keep}.pth`);
    writeFileSync(path, full.subarray(0, keep));
    await assert.rejects(loadWeightsFile(path), (e: Error) => {
      assert.ok(e instanceof WeightsFileError, e.message);
      assert.match(e.message, new RegExp(`^truncated or not a PyTorch file: .*cut${keep}\\.pth`));
      return true;
    });
  }
});

test('a zero-byte file gets a clear message', async () => {
  const path = join(tmp(), 'empty.pth');
  writeFileSync(path, Buffer.alloc(0));
  await assert.rejects(loadWeightsFile(path), /empty \(0 bytes\)/);
});

test('a file of another kind is not mistaken for weights', async () => {
  const path = join(tmp(), 'notes.txt');
  writeFileSync(path, 'hello, these are not weights');
  await assert.rejects(loadWeightsFile(path), /not a weights file/);
});

test('torchvision weights loaded as paper: one message lists the mis-shaped tensors with their file keys', async () => {
  await assert.rejects(loadWeightsFile(join(DIR, 'torchvision.pth'), 'paper'), (e: Error) => {
    assert.ok(e instanceof WeightsMismatchError);
    assert.match(e.message, /does not fit AlexNet 'paper'.*look like the 'torchvision' variant/);
    assert.match(e.message, /conv1\.weight \(file key 'features\.0\.weight'\): expected \[11, 11, 3, 96\], got \[11, 11, 3, 8\]/);
    assert.match(e.message, /fc8\.weight \(file key 'classifier\.6\.weight'\)/);
    assert.equal(e.misshaped.length, 15); // all but fc8.bias (the class count is taken from the file)
    return true;
  });
});

test('missing and unexpected tensors are listed in the same message', async () => {
  const loaded = await loadWeightsFile(join(DIR, 'paper.pth'), smallSpec('paper'));
  const params = { ...loaded.params, 'fc9.weight': loaded.params['fc8.weight'] };
  delete (params as Record<string, unknown>)['conv3.bias'];
  const path = join(tmp(), 'odd.safetensors');
  await saveSafetensors(path, params, { variant: 'paper' });
  await assert.rejects(loadWeightsFile(path, smallSpec('paper')), (e: Error) => {
    assert.ok(e instanceof WeightsMismatchError);
    assert.deepEqual(e.missing, ['conv3.bias']);
    assert.deepEqual(e.unexpected, ['fc9.weight']);
    assert.match(e.message, /missing \(1\): conv3\.bias\n {2}unexpected \(1\): fc9\.weight/);
    return true;
  });
});

test('the .npy and the .pth of the same Caffe network give identical canonical tensors', async () => {
  const spec = smallSpec('caffe');
  const fromNpy = await loadWeightsFile(join(DIR, 'caffe.npy'), spec);
  const fromPth = await loadWeightsFile(join(DIR, 'caffe.pth'), spec);
  assert.equal(fromNpy.source.format, 'npy');
  assert.equal(fromPth.source.keyStyle, 'notebook');
  assert.deepEqual(Object.keys(fromNpy.params), Object.keys(fromPth.params));
  for (const k of Object.keys(fromNpy.params)) {
    assert.deepEqual(fromNpy.params[k].shape, fromPth.params[k].shape, k);
    assert.deepEqual(fromNpy.params[k].data, fromPth.params[k].data, k);
  }
  assert.deepEqual(fromNpy.params['conv2.weight'].shape, [5, 5, 4, 16]); // grouped depth: 8 / 2
});

/** A .npy v1.0 file for a plain array, built by hand. */
function npyBytes(descr: string, shape: number[], fortran: boolean, body: Buffer): Buffer {
  let header = `{'descr': '${descr}', 'fortran_order': ${fortran ? 'True' : 'False'}, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  header += ' '.repeat(63 - ((10 + header.length) % 64)) + '\n';
  const pre = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, 0, 0]);
  pre.writeUInt16LE(header.length, 8);
  return Buffer.concat([pre, Buffer.from(header, 'latin1'), body]);
}

test('plain .npy arrays: little/big endian, float64 and Fortran order', () => {
  const f4 = Buffer.alloc(24);
  [1, 2, 3, 4, 5, 6].forEach((v, i) => f4.writeFloatLE(v, 4 * i));
  const a = readNpy(npyBytes('<f4', [2, 3], false, f4));
  assert.deepEqual(a.kind === 'numeric' && { shape: a.tensor.shape, data: [...a.tensor.data] }, { shape: [2, 3], data: [1, 2, 3, 4, 5, 6] });
  const f8be = Buffer.alloc(48);
  // Fortran order: column-major, so [[1,2,3],[4,5,6]] is stored 1,4,2,5,3,6
  [1, 4, 2, 5, 3, 6].forEach((v, i) => f8be.writeDoubleBE(v, 8 * i));
  const b = readNpy(npyBytes('>f8', [2, 3], true, f8be));
  assert.deepEqual(b.kind === 'numeric' && { shape: b.tensor.shape, data: [...b.tensor.data] }, { shape: [2, 3], data: [1, 2, 3, 4, 5, 6] });
  const u1 = readNpy(npyBytes('|u1', [3], false, Buffer.from([0, 128, 255])));
  assert.deepEqual(u1.kind === 'numeric' && [...u1.tensor.data], [0, 128, 255]);
  assert.throws(() => readNpy(npyBytes('<f4', [2, 3], false, f4.subarray(0, 20))), /cut short/);
});

test('safetensors round trip keeps tensors and metadata; the write is atomic', async () => {
  const spec = smallSpec('torchvision');
  const loaded = await loadWeightsFile(join(DIR, 'torchvision.pth'), spec);
  const dir = tmp();
  const path = join(dir, 'trained.safetensors');
  const classNames = Array.from({ length: 10 }, (_, i) => `class ${i} "quoted" \u00e9`);
  await saveWeightsFile(path, spec, loaded.params, { classNames, provenance: { base: 'torchvision.pth', epochs: 3 }, extra: { note: 'hello' } });
  assert.deepEqual(readdirSync(dir), ['trained.safetensors']); // no temporary file left behind
  const back = await loadWeightsFile(path); // 'auto': variant and widths from the file itself
  assert.equal(back.source.format, 'safetensors');
  assert.equal(back.variant, 'torchvision');
  assert.deepEqual(back.spec, spec);
  assert.deepEqual(back.classNames, classNames);
  assert.equal(back.metadata.note, 'hello');
  assert.deepEqual(JSON.parse(back.metadata.provenance), { base: 'torchvision.pth', epochs: 3 });
  assert.deepEqual(JSON.parse(back.metadata.normalisation), spec.normalisation);
  for (const k of Object.keys(loaded.params)) assert.deepEqual(back.params[k], loaded.params[k], k);
  // The header is 8-byte aligned, as the reference implementation writes it.
  const raw = readFileSync(path);
  assert.equal(Number(raw.readBigUInt64LE(0)) % 8, 0);
});

test('a safetensors write in two stages: the bytes first, the old file intact until the commit', async () => {
  const dir = tmp();
  const path = join(dir, 'checkpoint.safetensors');
  await saveSafetensors(path, { x: { shape: [3], data: Float32Array.from([1, 2, 3]) } });
  const next = Float32Array.from([4, 5, 6]);
  const { committed } = await writeSafetensors(path, { x: { shape: [3], data: next } }, { epoch: '2' });
  next.fill(-1); // the trainer's next step changes the weights once the bytes are written
  assert.deepEqual([...(readSafetensors(readFileSync(path)).tensors.x.data as Float32Array)], [1, 2, 3], 'the old file until the commit');
  await committed;
  const back = readSafetensors(readFileSync(path));
  assert.deepEqual([...(back.tensors.x.data as Float32Array)], [4, 5, 6]);
  assert.equal(back.metadata.epoch, '2');
  assert.deepEqual(readdirSync(dir), ['checkpoint.safetensors']);
  // a commit that cannot rename (the target is now a folder) rejects and leaves no temporary file
  const blocked = join(dir, 'blocked.safetensors');
  const pending = await writeSafetensors(blocked, { x: { shape: [1], data: Float32Array.of(1) } });
  mkdirSync(join(blocked, 'inside'), { recursive: true });
  await assert.rejects(pending.committed);
  assert.deepEqual(readdirSync(dir).sort(), ['blocked.safetensors', 'checkpoint.safetensors']);
  assert.deepEqual(readdirSync(blocked), ['inside']);
});

test('safetensors reader checks offsets against the data', () => {
  const good = encodeSafetensors({ x: { shape: [2], data: Float32Array.from([1, 2]) } }, { a: 'b' });
  assert.deepEqual(readSafetensors(good).metadata, { a: 'b' });
  assert.throws(() => readSafetensors(good.subarray(0, good.length - 2)), /cut short/);
});
