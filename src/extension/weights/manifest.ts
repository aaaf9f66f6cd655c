// The known pretrained weight files (weights/manifest.json), typed and checked on load, and
// the URL to fetch each one from (official, or a user-configured mirror).
import { readFileSync } from 'node:fs';
import { VARIANTS, type VariantName } from '../../protocol/engine/model';
import { weightsDataFile } from '../../engine/weights/dataDir';

export interface WeightsEntry {
  id: string;
  fileName: string;
  /** Official download URL. */
  url: string;
  /** Full SHA-256 (64 lower-case hex digits), when known. */
  sha256?: string;
  /** Leading hex digits of the SHA-256 (torch.hub's check_hash convention), when only that is known. */
  sha256Prefix?: string;
  /** Exact size in bytes, when known. */
  size?: number;
  variants: VariantName[];
  format: string;
  license: string;
  licenseNote?: string;
  provenance: string;
  checksumSources?: string[];
}

export interface WeightsManifest {
  schemaVersion: 1;
  weights: WeightsEntry[];
}

const HEX64 = /^[0-9a-f]{64}$/;
const HEX_PREFIX = /^[0-9a-f]{8,63}$/;
// A bare file name: the mirror URL and the storage path are built from it.
const FILE_NAME = /^[A-Za-z0-9._-]+$/;

/** Checks a parsed manifest; every problem is reported in one error. */
export function parseManifest(data: unknown, source = 'manifest'): WeightsManifest {
  const problems: string[] = [];
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isObj(data)) throw new Error(`${source}: not a JSON object`);
  if (data.schemaVersion !== 1) problems.push(`schemaVersion must be 1 (got ${JSON.stringify(data.schemaVersion)})`);
  if (!Array.isArray(data.weights)) problems.push('weights must be an array');
  const weights: WeightsEntry[] = [];
  const ids = new Set<string>();
  for (const [i, raw] of (Array.isArray(data.weights) ? data.weights : []).entries()) {
    const at = `weights[${i}]`;
    if (!isObj(raw)) {
      problems.push(`${at} is not an object`);
      continue;
    }
    const str = (key: string, required: boolean): string | undefined => {
      const v = raw[key];
      if (v === undefined && !required) return undefined;
      if (typeof v !== 'string' || !v.trim()) {
        problems.push(`${at}.${key} must be a non-empty string`);
        return undefined;
      }
      return v;
    };
    const id = str('id', true);
    const fileName = str('fileName', true);
    const url = str('url', true);
    const sha256 = str('sha256', false);
    const sha256Prefix = str('sha256Prefix', false);
    const format = str('format', true);
    const license = str('license', true);
    const licenseNote = str('licenseNote', false);
    const provenance = str('provenance', true);
    if (id !== undefined) {
      if (ids.has(id)) problems.push(`${at}.id ${id} is used twice`);
      ids.add(id);
    }
    if (fileName !== undefined && !FILE_NAME.test(fileName)) problems.push(`${at}.fileName must be a bare file name`);
    if (url !== undefined && !/^https?:\/\//.test(url)) problems.push(`${at}.url must be http(s)`);
    if (sha256 !== undefined && !HEX64.test(sha256)) problems.push(`${at}.sha256 must be 64 lower-case hex digits`);
    if (sha256Prefix !== undefined && !HEX_PREFIX.test(sha256Prefix)) problems.push(`${at}.sha256Prefix must be 8-63 lower-case hex digits`);
    if (sha256 && sha256Prefix && !sha256.startsWith(sha256Prefix)) problems.push(`${at}.sha256 does not start with sha256Prefix`);
    if (sha256 === undefined && sha256Prefix === undefined) problems.push(`${at} needs sha256 or sha256Prefix`);
    const size = raw.size;
    if (size !== undefined && !(typeof size === 'number' && Number.isSafeInteger(size) && size > 0)) problems.push(`${at}.size must be a positive integer`);
    const variants = raw.variants;
    if (!Array.isArray(variants) || !variants.length || !variants.every((v) => (VARIANTS as readonly unknown[]).includes(v))) {
      problems.push(`${at}.variants must list some of ${VARIANTS.join(', ')}`);
    }
    const sources = raw.checksumSources;
    if (sources !== undefined && !(Array.isArray(sources) && sources.every((s) => typeof s === 'string'))) {
      problems.push(`${at}.checksumSources must be an array of strings`);
    }
    if (id && fileName && url && format && license && provenance) {
      weights.push({
        id, fileName, url, format, license, provenance,
        variants: variants as VariantName[],
        ...(sha256 !== undefined && { sha256 }),
        ...(sha256Prefix !== undefined && { sha256Prefix }),
        ...(typeof size === 'number' && { size }),
        ...(licenseNote !== undefined && { licenseNote }),
        ...(Array.isArray(sources) && { checksumSources: sources as string[] }),
      });
    }
  }
  if (problems.length) throw new Error(`${source} is invalid:\n  ${problems.join('\n  ')}`);
  return { schemaVersion: 1, weights };
}

/** Reads and checks weights/manifest.json (or the given file). */
export function loadManifest(path: string = weightsDataFile('manifest.json')): WeightsManifest {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`Cannot read the weights manifest ${path}: ${(e as Error).message}`);
  }
  return parseManifest(data, path);
}

/** The entry serving a variant (the first listed, if several do). */
export function entryForVariant(manifest: WeightsManifest, variant: VariantName): WeightsEntry | undefined {
  return manifest.weights.find((w) => w.variants.includes(variant));
}

export function entryById(manifest: WeightsManifest, id: string): WeightsEntry | undefined {
  return manifest.weights.find((w) => w.id === id);
}

/**
 * Where to download an entry from: the official URL, or `mirror + '/' + fileName` when the
 * `alexnet.weights.mirror` setting holds a base URL (blank means none; trailing slashes are dropped).
 */
export function resolveDownloadUrl(entry: Pick<WeightsEntry, 'url' | 'fileName'>, mirror?: string): string {
  const base = mirror?.trim();
  if (!base) return entry.url;
  let parsed: URL;
  try {
    parsed = new URL(base);
  } catch {
    throw new Error(`alexnet.weights.mirror is not a URL: ${JSON.stringify(base)}`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new Error(`alexnet.weights.mirror must be an http(s) URL, not ${parsed.protocol}`);
  }
  return `${base.replace(/\/+$/, '')}/${encodeURIComponent(entry.fileName)}`;
}
