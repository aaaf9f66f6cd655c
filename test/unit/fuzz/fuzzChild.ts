// One fuzz target, run in its own process by parsers.test.ts (so a hang can be killed and memory
// measured per target). argv: target seed count. Reports each case over IPC before and after it
// runs; a case whose error is not the parser's own typed error is reported as bad.
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mutate, RAW_ERROR, Rng } from './mutate';
import { FIXTURES } from '../../helpers/paths';

type Outcome = 'valid' | 'refused';
interface Target {
  fixture: Uint8Array;
  fields?: { offset: number; bytes: 4 | 8 }[];
  /** parses; throws only what the parser may throw (checked by `typed`) */
  run(bytes: Uint8Array, n: number): Promise<Outcome> | Outcome;
  typed(e: unknown): boolean;
}

const send = (m: unknown) => process.send?.(m);

/** The zip's own length fields: EOCD counts/offsets and each central entry's sizes and offsets. */
function zipFields(b: Uint8Array): { offset: number; bytes: 4 | 8 }[] {
  const out: { offset: number; bytes: 4 | 8 }[] = [];
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  for (let i = 0; i + 46 <= b.length; i++) {
    const sig = v.getUint32(i, true);
    if (sig === 0x02014b50) out.push({ offset: i + 20, bytes: 4 }, { offset: i + 24, bytes: 4 }, { offset: i + 42, bytes: 4 });
  }
  for (let i = b.length - 22; i >= 0; i--) if (v.getUint32(i, true) === 0x06054b50) { out.push({ offset: i + 12, bytes: 4 }, { offset: i + 16, bytes: 4 }); break; }
  return out;
}

async function weightsTarget(file: string, name: string, fields?: (b: Uint8Array) => { offset: number; bytes: 4 | 8 }[]): Promise<Target> {
  const { loadWeightsBuffer, WeightsFileError } = await import('../../../src/engine/weights/loadWeights');
  const { WeightsMismatchError } = await import('../../../src/engine/weights/fitToSpec');
  const fixture = file.startsWith('/') ? readFileSync(file) : readFileSync(join(FIXTURES, 'parity', file));
  return {
    fixture,
    fields: fields?.(fixture),
    run: (bytes) => {
      try {
        loadWeightsBuffer(bytes, name);
      } catch (e) {
        // the file parsed, only its tensors do not make an AlexNet: the parser's job is done
        if (e instanceof WeightsMismatchError && !RAW_ERROR.test(e.message)) return 'valid';
        throw e;
      }
      return 'valid';
    },
    typed: (e) => e instanceof WeightsFileError,
  };
}

async function safetensorsFixture(): Promise<string> {
  const { encodeSafetensors } = await import('../../../src/engine/weights/safetensors');
  const p = join(mkdtempSync(join(tmpdir(), 'fuzz-st-')), 'w.safetensors');
  const t = (n: number) => ({ shape: [n], data: Float32Array.from({ length: n }, (_, i) => i / 7) });
  writeFileSync(p, encodeSafetensors({ 'conv1.weight': t(6), 'conv1.bias': t(3), 'fc8.bias': t(4) }, { variant: 'torchvision' }));
  return p;
}

async function pickleTarget(file: string): Promise<Target> {
  const { CODECS_ENCODE, unpickle, PickleFormatError, PickleRefusedError } = await import('../../../src/engine/weights/pickle');
  const { resolvePickled } = await import('../../../src/engine/weights/resolvePickled');
  return {
    fixture: readFileSync(join(FIXTURES, 'parity', file)),
    run: (bytes) => (resolvePickled(unpickle(bytes, { globals: { '_codecs.encode': CODECS_ENCODE } }).value, () => undefined), 'valid'),
    typed: (e) => e instanceof PickleFormatError || e instanceof PickleRefusedError,
  };
}

async function imageTarget(file: string): Promise<Target> {
  const { decodeImage, ImageDecodeError } = await import('../../../src/engine/image');
  return {
    fixture: readFileSync(join(FIXTURES, 'images', file)),
    run: async (bytes): Promise<Outcome> => {
      const img = await decodeImage(bytes, { name: file });
      if (!(img.width > 0 && img.height > 0 && img.data.length === img.width * img.height * 3)) throw new Error(`decoded an inconsistent image: ${img.width}x${img.height}, ${img.data.length} bytes`);
      return 'valid';
    },
    typed: (e) => e instanceof ImageDecodeError,
  };
}

/** A real cache entry (tiny network), then one of its three files mutated per case. */
async function onnxCacheTarget(): Promise<Target> {
  const tf = await import('@tensorflow/tfjs-core');
  await import('@tensorflow/tfjs-backend-cpu');
  await tf.setBackend('cpu');
  const { makeSpec } = await import('../../../src/engine/model/spec');
  const { createOnnxRuntime, readCachedModel } = await import('../../../src/engine/onnx');
  const { randomHostParams } = await import('../../helpers/randomHostParams');
  const spec = makeSpec('torchvision', { convChannels: [8, 12, 16, 12, 8], fcUnits: [24, 20], numClasses: 10 });
  const dir = mkdtempSync(join(tmpdir(), 'fuzz-onnx-'));
  const rt = await createOnnxRuntime(spec, randomHostParams(spec, 1), { threads: 1, collect: ['conv1'], cache: { dir, key: 'k' } });
  await rt.dispose();
  const files = ['k.json', 'k.onnx', 'k.weights'];
  const rng = new Rng(7);
  return {
    fixture: readFileSync(join(dir, 'k.json')),
    run: async (bytes, n) => {
      const d = mkdtempSync(join(tmpdir(), 'fuzz-onnx-case-'));
      for (const f of files) copyFileSync(join(dir, f), join(d, f));
      // a third of the cases mutate the .onnx or .weights instead of the manifest (`bytes`)
      const which = n % 3;
      if (which === 0) writeFileSync(join(d, 'k.json'), bytes);
      else writeFileSync(join(d, files[which]), mutate(readFileSync(join(dir, files[which])), rng).bytes);
      const m = await readCachedModel(d, 'k');
      return m ? 'valid' : 'refused';
    },
    typed: () => false, // the reader reports a broken entry as absent; it never throws
  };
}

async function target(name: string): Promise<Target> {
  switch (name) {
    case 'pth-zip': return weightsTarget('views.pth', 'views.pth', zipFields);
    case 'pth-zip-torchvision': return weightsTarget('torchvision.pth', 'torchvision.pth', zipFields);
    case 'pth-legacy': return weightsTarget('legacy.pth', 'legacy.pth');
    case 'npy-caffe': return weightsTarget('caffe.npy', 'caffe.npy', () => [{ offset: 8, bytes: 4 }]);
    case 'safetensors': return weightsTarget(await safetensorsFixture(), 'w.safetensors', () => [{ offset: 0, bytes: 8 }]);
    case 'pickle-p2': return pickleTarget('values_p2.pkl');
    case 'pickle-p4': return pickleTarget('values_p4.pkl');
    case 'onnx-cache': return onnxCacheTarget();
    default: return imageTarget(name);
  }
}

async function main(): Promise<void> {
  const [names, seedText, countsText] = process.argv.slice(2);
  const counts = countsText.split(',').map(Number);
  for (const [i, name] of names.split(',').entries()) await fuzzOne(name, Number(seedText), counts[i]);
}

async function fuzzOne(name: string, seed: number, count: number): Promise<void> {
  const only = process.env.FUZZ_ONLY === undefined ? undefined : Number(process.env.FUZZ_ONLY);
  const t = await target(name);
  const rng = new Rng(seed);
  const counts = { valid: 0, refused: 0 };
  let peakRss = 0;
  for (let n = 0; n < count; n++) {
    const m = mutate(t.fixture, rng, t.fields);
    if (only !== undefined && n !== only) continue;
    send({ kind: 'start', target: name, n, what: m.what });
    const t0 = performance.now();
    try {
      counts[await t.run(m.bytes, n)]++;
    } catch (e) {
      const msg = e instanceof Error ? `${e.constructor.name}: ${e.message}` : String(e);
      if (!t.typed(e) || RAW_ERROR.test((e as Error).message ?? '')) {
        send({ kind: 'bad', target: name, n, what: m.what, error: msg.slice(0, 500) });
        continue;
      }
      counts.refused++;
    }
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    send({ kind: 'done', target: name, n, ms: performance.now() - t0 });
  }
  send({ kind: 'summary', target: name, counts, peakRssMb: Math.round(peakRss / 2 ** 20) });
}

main().then(
  () => process.disconnect?.(),
  (e) => {
    send({ kind: 'setup-failed', error: String((e as Error)?.stack ?? e) });
    process.disconnect?.();
  },
);
