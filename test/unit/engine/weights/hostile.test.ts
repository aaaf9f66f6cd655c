// Weight files built to hurt the reader (test/fixtures/hostile, made by make_hostile.py): shared
// references that explode when copied, cycles, lying views, deflate bombs, absurd headers. Each
// must be refused fast, in bounded memory, with a message that says what is wrong with the file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadWeightsFile, WeightsFileError } from '../../../../src/engine/weights/loadWeights';
import { encodeSafetensors } from '../../../../src/engine/weights/safetensors';
import { FIXTURES, REPO_ROOT } from '../../../helpers/paths';

const DIR = join(FIXTURES, 'hostile');
const tmp = () => mkdtempSync(join(tmpdir(), 'alexnet-hostile-'));
/** What a JavaScript engine says when a reader was not ready for its input. */
const RAW = /Maximum call stack|Invalid typed array length|Invalid array length|Cannot read propert|is not a function|is not iterable|out of memory|Offset is outside|undefined/i;

async function refused(path: string, why: RegExp): Promise<void> {
  const t0 = performance.now();
  const rss0 = process.memoryUsage().rss;
  await assert.rejects(loadWeightsFile(path), (e: Error) => {
    assert.ok(e instanceof WeightsFileError, `${e.constructor.name}: ${e.message}`);
    assert.match(e.message, why);
    assert.doesNotMatch(e.message, RAW);
    return true;
  });
  const ms = performance.now() - t0;
  const grew = (process.memoryUsage().rss - rss0) / 2 ** 20;
  assert.ok(ms < 3000, `took ${ms.toFixed(0)} ms`);
  assert.ok(grew < 200, `RSS grew ${grew.toFixed(0)} MB`);
}

const CASES: [string, RegExp][] = [
  ['nested-shared.npy', /nests lists or dicts more than 32 levels deep/],
  ['nested-shared.pth', /nests lists or dicts more than 32 levels deep/],
  ['self-referencing.npy', /contains itself \(a cycle\)/],
  ['self-referencing.pth', /contains itself \(a cycle\)/],
  ['negative-stride.pth', /refusing .*negative stride \(-1\)/],
  ['negative-offset.pth', /refusing .*negative storage offset -4/],
  ['overflowing-stride.pth', /refusing .*stride \(4611686018427388000, 1\) overflows/],
  ['past-storage.pth', /refusing .*reaches past its storage of 12 elements/],
  ['deflate-bomb.pth', /refusing .*would inflate to 67108864 bytes, more than the 16 its contents can use/],
  ['deflate-bomb-lying-size.pth', /refusing .*inflates to more than the 16 bytes it declares/],
];
for (const [name, why] of CASES) test(`hostile ${name} is refused with a message`, () => refused(join(DIR, name), why));

test('the 576-byte .npy of [a, a] nested 40 times is refused in a 64 MB heap within seconds', () => {
  const script = `require(${JSON.stringify(join(REPO_ROOT, 'src/engine/weights/loadWeights.ts'))}).loadWeightsFile(${JSON.stringify(join(DIR, 'nested-shared.npy'))}).then(() => process.exit(2), (e) => { console.log(e.message); process.exit(e.constructor.name === 'WeightsFileError' ? 0 : 3); });`;
  const r = spawnSync(process.execPath, ['--max-old-space-size=64', '--import', 'tsx', '-e', script], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 0, `${r.signal ?? ''} ${r.stdout} ${r.stderr}`);
  assert.match(r.stdout, /levels deep/);
});

test('shared references below the depth limit cost linear work: 30 levels of [a, a] resolve at once, shared', async () => {
  // The depth limit is not what saves us: resolution is memoised. A real pickle with 2^30 leaves
  // (30 levels, 2 references each) reads in milliseconds.
  const { unpickle } = await import('../../../../src/engine/weights/pickle');
  const { resolvePickled } = await import('../../../../src/engine/weights/resolvePickled');
  const ops = [0x80, 2, 0x4b, 0]; // PROTO 2, BININT1 0
  for (let i = 0; i < 30; i++) ops.push(0x32, 0x86); // DUP, TUPLE2: (x, x)
  ops.push(0x2e);
  const { value } = unpickle(Uint8Array.from(ops), { globals: {} });
  const t0 = performance.now();
  const out = resolvePickled(value, () => undefined) as unknown[];
  assert.ok(performance.now() - t0 < 100);
  assert.equal(out[0], out[1]); // still shared
});

test('safetensors: a negative shape, a huge header length and a non-object entry each say what is wrong', async () => {
  const dir = tmp();
  const good = encodeSafetensors({ w: { shape: [2], data: Float32Array.from([1, 2]) } });
  const headerOf = (h: unknown) => {
    const json = Buffer.from(JSON.stringify(h));
    const b = Buffer.alloc(8 + json.length + 8);
    b.writeBigUInt64LE(BigInt(json.length), 0);
    json.copy(b, 8);
    return b;
  };
  const bad: [string, Buffer, RegExp][] = [
    ['negative-shape', headerOf({ w: { dtype: 'F32', shape: [-4], data_offsets: [0, 8] } }), /tensor w: shape \[-4\] is not a list of non-negative ints/],
    ['entry-null', headerOf({ w: null }), /tensor w: malformed header entry/],
    ['dtype-proto', headerOf({ w: { dtype: 'constructor', shape: [1], data_offsets: [0, 4] } }), /dtype "constructor" is not supported/],
    ['offsets-float', headerOf({ w: { dtype: 'F32', shape: [1], data_offsets: [0.5, 4.5] } }), /data_offsets \[0\.5,4\.5\] are not two non-negative ints/],
    ['huge-header-length', (() => { const b = Buffer.from(good); b.writeBigUInt64LE(2n ** 60n, 0); return b; })(), /header length 1152921504606846976 is larger than the \d+ bytes that follow it/],
  ];
  for (const [name, bytes, why] of bad) {
    const path = join(dir, `${name}.safetensors`);
    writeFileSync(path, bytes);
    await refused(path, why);
  }
});
