import { type VariantName } from '../../protocol/engine/model';
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
/** Checks a parsed manifest; every problem is reported in one error. */
export declare function parseManifest(data: unknown, source?: string): WeightsManifest;
/** Reads and checks weights/manifest.json (or the given file). */
export declare function loadManifest(path?: string): WeightsManifest;
/** The entry serving a variant (the first listed, if several do). */
export declare function entryForVariant(manifest: WeightsManifest, variant: VariantName): WeightsEntry | undefined;
export declare function entryById(manifest: WeightsManifest, id: string): WeightsEntry | undefined;
/**
 * Where to download an entry from: the official URL, or `mirror + '/' + fileName` when the
 * `alexnet.weights.mirror` setting holds a base URL (blank means none; trailing slashes are dropped).
 */
export declare function resolveDownloadUrl(entry: Pick<WeightsEntry, 'url' | 'fileName'>, mirror?: string): string;
