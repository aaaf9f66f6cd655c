// The restricted pickle reader: plain values in protocols 2..5 (fixtures written by Python's own
// pickle), and refusal of every global a weights file does not need, without running anything.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { CODECS_ENCODE, PickleRefusedError, PyDict, unpickle } from '../../../../src/engine/weights/pickle';
import { loadWeightsFile, WeightsFileError } from '../../../../src/engine/weights/loadWeights';
import { FIXTURES } from '../../../helpers/paths';

const DIR = join(FIXTURES, 'parity');

/** PyDict -> plain object, bytes -> number[] (for deepEqual). */
function plain(x: unknown): unknown {
  if (x instanceof PyDict) return Object.fromEntries([...x].map(([k, v]) => [String(k), plain(v)]));
  if (x instanceof Uint8Array) return [...x];
  if (Array.isArray(x)) return x.map(plain);
  return x;
}

for (const proto of [2, 3, 4, 5]) {
  test(`reads Python's protocol ${proto} pickle of plain values`, () => {
    const buf = readFileSync(join(DIR, `values_p${proto}.pkl`));
    // Protocol 2 pickles bytes as _codecs.encode(text, 'latin1'): allowed here explicitly.
    const { value, end } = unpickle(buf, { globals: proto === 2 ? { '_codecs.encode': CODECS_ENCODE } : {} });
    assert.equal(end, buf.length);
    assert.deepEqual(plain(value), {
      ints: [0, 1, -1, 255, 256, 65535, 65536, -(2 ** 31), 2 ** 31, 2 ** 40, -(2 ** 40)],
      float: -1.5e-3,
      text: 'caf\u00e9 \u2603',
      bytes: [0, 1, 255],
      tuple: [1, [2, 3], []],
      flags: [true, false, null],
      nested: { k: [{}, []] },
      shared: [[7], [7]],
    });
    // The memo keeps shared references shared, as Python does.
    const shared = (value as PyDict).get('shared') as unknown[];
    assert.equal(shared[0], shared[1]);
  });
}

test('a torch.save file whose pickle calls os.system is refused, naming the global, and nothing runs', async () => {
  const marker = '/tmp/alexnet-evil-pickle-ran';
  rmSync(marker, { force: true });
  await assert.rejects(loadWeightsFile(join(DIR, 'evil.pth')), (e: Error) => {
    assert.ok(e instanceof WeightsFileError);
    assert.match(e.message, /Refusing to load: the pickle asks for global 'posix\.system', which a weights file never needs/);
    return true;
  });
  assert.equal(existsSync(marker), false);
});

/** A protocol-4 pickle: STACK_GLOBAL(module, name), then a call with one string argument. */
function stackGlobalCall(module: string, name: string, arg: string): Uint8Array {
  const str = (s: string) => [0x8c, Buffer.byteLength(s), ...Buffer.from(s)];
  return Uint8Array.from([0x80, 4, ...str(module), ...str(name), 0x93, ...str(arg), 0x85, 0x52, 0x2e]);
}

test('builtins.eval, subprocess.Popen and torch.nn.Module are refused by name', () => {
  for (const [m, n] of [['builtins', 'eval'], ['subprocess', 'Popen'], ['torch.nn.modules.module', 'Module'], ['os', 'system']]) {
    assert.throws(
      () => unpickle(stackGlobalCall(m, n, 'print(1)'), { globals: {} }),
      (e: Error) => e instanceof PickleRefusedError && e.message.includes(`global '${m}.${n}'`),
    );
  }
});

test('an allowed constructor cannot be swapped for another callable through BUILD or INST', () => {
  // INST (protocol 0 class instantiation) is refused outright.
  const inst = Uint8Array.from([0x28, ...Buffer.from('ios\nsystem\n'), 0x2e]);
  assert.throws(() => unpickle(inst, { globals: {} }), PickleRefusedError);
  // BUILD on a plain value (Python would call __setstate__ / update __dict__) is refused.
  const build = Uint8Array.from([0x80, 2, 0x4b, 1, 0x7d, 0x62, 0x2e]);
  assert.throws(() => unpickle(build, { globals: {} }), PickleRefusedError);
  // A persistent id where the caller expects none is refused.
  const persid = Uint8Array.from([0x80, 2, 0x4b, 1, 0x51, 0x2e]);
  assert.throws(() => unpickle(persid, { globals: {} }), PickleRefusedError);
});

test('a cut-short pickle is reported, not misread', () => {
  const buf = readFileSync(join(DIR, 'values_p4.pkl'));
  assert.throws(() => unpickle(buf.subarray(0, buf.length - 20), { globals: {} }), /truncated|underflow/);
});
