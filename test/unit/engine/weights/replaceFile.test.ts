import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { openReplacement, removeSpare, spareOf } from '../../../../src/engine/weights/replaceFile';
import { encodeSafetensors, readSafetensors, writeSafetensors } from '../../../../src/engine/weights/safetensors';

const tmp = () => mkdtempSync(join(tmpdir(), 'alexnet-replace-'));
const tensor = (...v: number[]) => ({ x: { shape: [v.length], data: Float32Array.from(v) } });
const values = (path: string) => [...(readSafetensors(readFileSync(path)).tensors.x.data as Float32Array)];

async function replace(path: string, text: string) {
  const r = await openReplacement(path, { recycle: true });
  const bytes = Buffer.from(text);
  await r.fh.write(bytes, 0, bytes.length, 0);
  await r.commit(bytes.length);
}

test('a recycled replacement writes into the file it replaced last time, and cuts it to size', async () => {
  const dir = tmp();
  const path = join(dir, 'checkpoint.safetensors');
  await replace(path, 'first, and the longest');
  assert.deepEqual(readdirSync(dir), ['checkpoint.safetensors'], 'nothing replaced yet: no spare');
  const firstInode = statSync(path).ino;
  await replace(path, 'second');
  assert.equal(readFileSync(path, 'utf8'), 'second');
  // the replaced file is kept whole as the spare
  assert.equal(statSync(spareOf(path)).ino, firstInode);
  assert.equal(readFileSync(spareOf(path), 'utf8'), 'first, and the longest');
  await replace(path, 'third');
  assert.equal(statSync(path).ino, firstInode, 'the third write went into the first file');
  assert.equal(readFileSync(path, 'utf8'), 'third', 'and the longer old contents are cut off');
  assert.equal(readFileSync(spareOf(path), 'utf8'), 'second');
  await removeSpare(path);
  assert.deepEqual(readdirSync(dir), ['checkpoint.safetensors']);
});

test('a recycled replacement after a crash between its renames, and one that cannot commit', async () => {
  const dir = tmp();
  const path = join(dir, 'best.safetensors');
  await replace(path, 'one');
  await replace(path, 'two');
  // a crash after the new file was renamed into place left the old one under the held name
  writeFileSync(`${spareOf(path)}.next`, 'stale');
  await replace(path, 'three');
  assert.equal(readFileSync(path, 'utf8'), 'three');
  assert.deepEqual(readdirSync(dir).sort(), ['best.safetensors', 'best.safetensors.spare']);
  // the target became a folder: the commit fails, the spare goes, the folder stays as it was
  const blocked = join(dir, 'blocked.safetensors');
  mkdirSync(join(blocked, 'inside'), { recursive: true });
  const r = await openReplacement(blocked, { recycle: true });
  await r.fh.write(Buffer.from('x'), 0, 1, 0);
  await assert.rejects(r.commit(1));
  assert.deepEqual(readdirSync(dir).sort(), ['best.safetensors', 'best.safetensors.spare', 'blocked.safetensors']);
  assert.deepEqual(readdirSync(blocked), ['inside']);
});

test('writeSafetensors with recycling round-trips many tensors, more than one writev takes', async () => {
  const dir = tmp();
  const path = join(dir, 'many.safetensors');
  // 1500 buffers: more than IOV_MAX (1024), which one writev system call takes
  const many = (k: number) => Object.fromEntries(Array.from({ length: 1500 }, (_, i) => [`t${i}`, { shape: [3], data: Float32Array.of(i, k, i * k) }]));
  for (const k of [1, 2, 3]) await (await writeSafetensors(path, many(k), { k: String(k) }, { recycle: true })).committed;
  const back = readSafetensors(readFileSync(path));
  assert.equal(back.metadata.k, '3');
  for (const i of [0, 1023, 1024, 1499]) assert.deepEqual([...(back.tensors[`t${i}`].data as Float32Array)], [i, 3, i * 3]);
  await (await writeSafetensors(path, tensor(7), {}, { recycle: true })).committed;
  assert.deepEqual(values(path), [7], 'a much smaller file in the recycled one');
  // cut to its own length: no bytes of the 1500-tensor file after it
  assert.equal(statSync(path).size, encodeSafetensors(tensor(7), {}).length);
});
