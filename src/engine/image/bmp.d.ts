export interface BmpHeader {
    width: number;
    height: number;
    bitsPerPixel: number;
    compression: number;
    topDown: boolean;
}
export declare function readBmpHeader(buf: Uint8Array, file?: string): BmpHeader & {
    dibSize: number;
    dataOffset: number;
};
/** Decodes a BMP to RGB HWC bytes. Call readBmpHeader first to check the size against a limit. */
export declare function decodeBmp(buf: Uint8Array, file?: string): {
    data: Uint8Array;
    width: number;
    height: number;
    bitsPerPixel: number;
};
