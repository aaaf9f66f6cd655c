/** A Python 2 `str` (BINSTRING): raw bytes, read as text with latin1 (numpy's encoding='latin1'). */
export declare class Py2Str {
    readonly bytes: Uint8Array;
    constructor(bytes: Uint8Array);
    get text(): string;
}
/** A Python dict / OrderedDict. `attrs` holds what a BUILD set on it (torch's `_metadata`). */
export declare class PyDict extends Map<PyKey, unknown> {
    attrs: Record<string, unknown>;
}
export type PyKey = string | number | boolean | null;
/** A Python tuple (kept apart from lists only by type; both are JS arrays). */
export type PyTuple = readonly unknown[];
/** What an allowed global resolves to: `call` runs for REDUCE/NEWOBJ, `build` for BUILD on its results. */
export interface AllowedGlobal {
    readonly qualifiedName: string;
    call?(args: unknown[]): unknown;
}
/** Objects made by allowed globals may take a BUILD (Python's __setstate__). */
export interface Buildable {
    setState(state: unknown): void;
}
export interface UnpickleOptions {
    /** 'module.name' -> its safe stand-in. Anything else is refused. */
    globals: Record<string, AllowedGlobal>;
    /** torch's storages (BINPERSID). Without it, a persistent id is refused. */
    persistentLoad?(pid: unknown): unknown;
}
export declare class PickleRefusedError extends Error {
}
export declare function refusedGlobalMessage(qualifiedName: string): string;
/** Reads one pickle from `data` at `start`; returns the object and where the STOP ended. */
export declare function unpickle(data: Uint8Array, opts: UnpickleOptions, start?: number): {
    value: unknown;
    end: number;
};
export declare function latin1(b: Uint8Array): string;
/** Text from a pickled str of either Python (keys of bvlc_alexnet.npy are Python 2 strs). */
export declare function pyText(x: unknown): string | undefined;
/** Raw bytes from a pickled bytes (Py3) or str (Py2, read with latin1). */
export declare function pyBytes(x: unknown): Uint8Array | undefined;
/**
 * `_codecs.encode(text, 'latin1')`: how Python 3 pickles bytes at protocol 2. Pure (text -> bytes),
 * so it is safe to allow where bytes may appear (numpy array data).
 */
export declare const CODECS_ENCODE: AllowedGlobal;
