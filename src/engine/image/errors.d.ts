export type ImageErrorCode = 
/** the file could not be read (missing, a folder, no permission) */
'unreadable'
/** zero bytes */
 | 'empty'
/** the bytes are no image format we know (e.g. a text file named .jpg) */
 | 'not-an-image'
/** a real image format that this decoder does not handle (HEIC, SVG, RLE BMP, ...) */
 | 'unsupported-format'
/** the file ends before the image data does */
 | 'truncated'
/** more pixels than the configured limit (decompression-bomb guard) */
 | 'too-large'
/** a known format whose contents are damaged */
 | 'corrupt';
export declare class ImageDecodeError extends Error {
    readonly code: ImageErrorCode;
    /** the file (or the name given for a buffer), when known */
    readonly file: string | undefined;
    constructor(code: ImageErrorCode, message: string, file?: string, options?: {
        cause?: unknown;
    });
}
export declare function isImageDecodeError(e: unknown): e is ImageDecodeError;
