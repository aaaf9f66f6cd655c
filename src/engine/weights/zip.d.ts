export interface ZipEntry {
    name: string;
    method: number;
    compressedSize: number;
    size: number;
    localHeaderOffset: number;
}
export declare class ZipFormatError extends Error {
}
export declare function isZip(buf: Uint8Array): boolean;
export declare class ZipReader {
    readonly buf: Uint8Array;
    readonly entries: Map<string, ZipEntry>;
    private readonly view;
    constructor(buf: Uint8Array);
    private u16;
    private u32;
    private u64;
    private readCentralDirectory;
    /** The entry's bytes (a view into the file for stored entries: no copy). */
    read(name: string): Uint8Array;
}
