export type ImageFormat = 'jpeg' | 'png' | 'webp' | 'gif' | 'tiff' | 'bmp';
/** True for the extensions the decoder reads: jpg jpeg png webp gif bmp tif tiff (any case). */
export declare function isImagePath(path: string): boolean;
export type Sniffed = {
    kind: 'supported';
    format: ImageFormat;
} | {
    kind: 'unsupported';
    format: string;
} | {
    kind: 'text';
} | {
    kind: 'unknown';
};
/** Identifies a buffer by its signature. */
export declare function sniffFormat(buf: Uint8Array): Sniffed;
