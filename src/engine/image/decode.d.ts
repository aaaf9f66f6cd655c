import { type ImageFormat } from './formats';
/** Decompression-bomb guard: 100 megapixels (a 10000x10000 image, 300 MB of RGB). */
export declare const DEFAULT_MAX_PIXELS = 100000000;
export interface DecodeOptions {
    /** refuse images with more pixels than this (width x height, before any rotation); default 100 megapixels */
    maxPixels?: number;
    /** apply the EXIF orientation tag (default true) */
    autoOrient?: boolean;
    /** convert with the embedded ICC profile to sRGB (default false, as PIL/torchvision) */
    applyIccProfile?: boolean;
    /** a name for messages when decoding a buffer (decodeImageFile passes the path) */
    name?: string;
}
/** An 8-bit RGB image, HWC row-major: pixel (x, y) channel c is data[(y * width + x) * 3 + c]. */
export interface RgbImage {
    data: Uint8Array;
    width: number;
    height: number;
}
export interface SourceInfo {
    format: ImageFormat;
    /** stored size, before EXIF rotation */
    width: number;
    height: number;
    /** colour space as stored: 'srgb', 'b-w' (greyscale), 'cmyk', 'rgb16', 'grey16', 'palette' (BMP), ... */
    space: string;
    channels: number;
    /** bits per sample as stored (8 or 16; 1..32 bits per pixel for BMP) */
    bitDepth: number;
    hasAlpha: boolean;
    /** EXIF orientation tag (1..8; 1 when absent) */
    orientation: number;
    /** frames/pages in the file (only the first is decoded) */
    pages: number;
    progressive: boolean;
}
export interface DecodedImage extends RgbImage {
    source: SourceInfo;
}
/** Reads and decodes an image file. Throws ImageDecodeError only. */
export declare function decodeImageFile(path: string, opts?: DecodeOptions): Promise<DecodedImage>;
/** Decodes an encoded image held in memory. Throws ImageDecodeError only. */
export declare function decodeImage(input: Uint8Array, opts?: DecodeOptions): Promise<DecodedImage>;
/** PIL's cmyk2rgb (Convert.c): nk = 255 - k; r = clip(nk - c * nk / 255) with its rounding MULDIV255. */
export declare function cmykToRgb(data: Uint8Array, channels?: number): Uint8Array;
