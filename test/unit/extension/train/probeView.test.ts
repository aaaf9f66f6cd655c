// The probe image as the training view gets it: the chosen image and its latest epoch's result
// read back from the run folder (a reopened run shows the latest), the image inlined as a data: URI.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAX_PROBE_BYTES, probeImageSrc, storedProbe } from '../../../../src/extension/train/probeView';
import { PROBE_REQUEST_FILE, writeProbeRecord, writeProbeRequest } from '../../../../src/engine/train/probeFiles';
import type { ProbeRecordFile } from '../../../../src/protocol/engine/train';

const record = (epoch: number, image: string): ProbeRecordFile => ({
  version: 1, epoch, image, classNames: ['a', 'b'], top: [[1, 0.7], [0, 0.3]], classIndex: 1, layer: 'relu5',
  height: 2, width: 2, heatmap: [0, 0.5, 1, 0.25], cropFraction: 224 / 256, runtime: 'tfjs',
});

test('storedProbe: nothing chosen, chosen but not computed yet, the latest epoch, another image chosen since', () => {
  const dir = mkdtempSync(join(tmpdir(), 'alexnet-probeview-'));
  try {
    assert.deepEqual(storedProbe(dir), {});
    const png = join(dir, 'p.png');
    writeFileSync(png, Buffer.from([0x89, 0x50, 0x4e, 0x47]));
    writeProbeRequest(dir, png);
    assert.deepEqual(storedProbe(dir), { probeImage: png });
    writeProbeRecord(dir, record(2, png));
    writeProbeRecord(dir, record(10, png));
    const s = storedProbe(dir);
    assert.equal(s.probe?.epoch, 10, 'the latest epoch (numerically, not by name)');
    assert.equal(s.probe?.src, 'data:image/png;base64,iVBORw==');
    const other = join(dir, 'q.jpg');
    writeFileSync(other, 'x');
    writeProbeRequest(dir, other);
    assert.deepEqual(storedProbe(dir), { probeImage: other }, 'an older image\'s result is not shown for the new one');
    writeFileSync(join(dir, PROBE_REQUEST_FILE), 'not json');
    assert.equal(storedProbe(dir).probe?.epoch, 10, 'a broken probe.json still shows the last result');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('probeImageSrc: gone, too large or not a web image is empty', () => {
  const dir = mkdtempSync(join(tmpdir(), 'alexnet-probeview-'));
  try {
    assert.equal(probeImageSrc(join(dir, 'gone.jpg')), '');
    writeFileSync(join(dir, 'big.jpg'), Buffer.alloc(MAX_PROBE_BYTES + 1));
    assert.equal(probeImageSrc(join(dir, 'big.jpg')), '');
    writeFileSync(join(dir, 'a.txt'), 'x');
    assert.equal(probeImageSrc(join(dir, 'a.txt')), '');
    writeFileSync(join(dir, 'a.JPG'), 'x');
    assert.equal(probeImageSrc(join(dir, 'a.JPG')), 'data:image/jpeg;base64,eA==');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
