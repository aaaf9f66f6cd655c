// The probe image as the training view shows it: probe.json / probe-<epoch>.json read back
// (engine/train/probeFiles.ts) and the image as a data: URI, since the user may pick an image
// outside the folders the webview can load. No `vscode` import: unit-tested.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname } from 'node:path';
import type { ProbeRecordFile } from '../../protocol/engine/train';
import type { ProbeView } from '../../protocol/webview/training';
import { latestProbeRecord, readProbeRequest } from '../../engine/train/probeFiles';

/** Larger images are not inlined (the page keeps its state small); the heatmap and top-5 still show. */
export const MAX_PROBE_BYTES = 2 * 2 ** 20;

const MIME: Record<string, string> = {
  '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.png': 'image/png', '.webp': 'image/webp', '.gif': 'image/gif',
  '.bmp': 'image/bmp', '.tif': 'image/tiff', '.tiff': 'image/tiff',
};

/** The image as a data: URI, or '' when it is gone, too large or of a type the page cannot draw. */
export function probeImageSrc(path: string): string {
  const mime = MIME[extname(path).toLowerCase()];
  if (!mime || !existsSync(path) || statSync(path).size > MAX_PROBE_BYTES) return '';
  return `data:${mime};base64,${readFileSync(path).toString('base64')}`;
}

export function probeViewOf(record: ProbeRecordFile): ProbeView {
  const { version, epoch, image, classNames, top, classIndex, layer, height, width, heatmap, cropFraction, runtime } = record;
  return { version, epoch, image, classNames, top, classIndex, layer, height, width, heatmap, cropFraction, runtime, src: probeImageSrc(image) };
}

/** The chosen probe image and its latest result in a run folder (a bad probe.json: no image chosen). */
export function storedProbe(runDir: string): { probeImage?: string; probe?: ProbeView } {
  let image: string | null = null;
  try {
    image = readProbeRequest(runDir);
  } catch {
    image = null; // the trainer logs why; the view offers Choose Probe Image… again
  }
  const record = latestProbeRecord(runDir);
  const probe = record && (!image || record.image === image) ? probeViewOf(record) : undefined;
  return { ...(image ? { probeImage: image } : probe ? { probeImage: probe.image } : {}), ...(probe ? { probe } : {}) };
}
