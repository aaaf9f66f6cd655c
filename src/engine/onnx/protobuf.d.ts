export declare class ProtoWriter {
    private chunks;
    private scratch;
    length: number;
    private flushScratch;
    private pushBytes;
    private varint;
    private tag;
    /** int32 / int64 / enum field (wire type 0) */
    int(field: number, v: number | bigint): this;
    /** float field (wire type 5) */
    float(field: number, v: number): this;
    bytes(field: number, b: Uint8Array): this;
    string(field: number, s: string): this;
    message(field: number, m: ProtoWriter): this;
    /** packed repeated int64/int32 */
    packedInts(field: number, values: readonly (number | bigint)[]): this;
    finish(): Uint8Array;
}
