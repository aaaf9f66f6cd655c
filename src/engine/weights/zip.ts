// A minimal zip reader for torch.save (.pth) and numpy .npz archives. torch.save streams its
// entries, so local headers carry zero sizes (flag 0x08): sizes come from the central directory,
// through ZIP64 records when present. Stored and deflated entries are read.
import { inflateRawSync } from 'node:zlib';

export interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

export class ZipFormatError extends Error {}
/** An entry that would inflate past what it declares or what its reader can use. */
export class ZipBombError extends ZipFormatError {}

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

export function isZip(buf: Uint8Array): boolean {
  return buf.length >= 4 && buf[0] === 0x50 && buf[1] === 0x4b && buf[2] === 0x03 && buf[3] === 0x04;
}

export class ZipReader {
  readonly entries = new Map<string, ZipEntry>();
  private readonly view: DataView;

  constructor(readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    this.readCentralDirectory();
  }

  private u16(o: number) { return this.view.getUint16(o, true); }
  private u32(o: number) { return this.view.getUint32(o, true); }
  private u64(o: number) {
    const v = this.view.getBigUint64(o, true);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new ZipFormatError('zip field too large');
    return Number(v);
  }

  private readCentralDirectory(): void {
    const b = this.buf;
    let eocd = -1;
    for (let i = b.length - 22; i >= Math.max(0, b.length - 22 - 0xffff); i--) {
      if (this.u32(i) === EOCD) {
        eocd = i;
        break;
      }
    }
    if (eocd < 0) throw new ZipFormatError('no end-of-central-directory record (the file is cut short)');
    let count = this.u16(eocd + 10);
    let cdSize = this.u32(eocd + 12);
    let cdOffset = this.u32(eocd + 16);
    if (eocd >= 20 && this.u32(eocd - 20) === ZIP64_LOCATOR) {
      const rec = this.u64(eocd - 20 + 8);
      if (rec + 56 > b.length || this.u32(rec) !== ZIP64_EOCD) throw new ZipFormatError('ZIP64 end record missing or damaged');
      count = this.u64(rec + 32);
      cdSize = this.u64(rec + 40);
      cdOffset = this.u64(rec + 48);
    }
    if (cdOffset + cdSize > b.length) throw new ZipFormatError('central directory lies past the end of the file');
    let p = cdOffset;
    for (let n = 0; n < count; n++) {
      if (p + 46 > b.length || this.u32(p) !== CENTRAL) throw new ZipFormatError(`central directory entry ${n} is damaged`);
      const method = this.u16(p + 10);
      let compressedSize = this.u32(p + 20);
      let size = this.u32(p + 24);
      const nameLen = this.u16(p + 28);
      const extraLen = this.u16(p + 30);
      const commentLen = this.u16(p + 32);
      let localHeaderOffset = this.u32(p + 42);
      if (p + 46 + nameLen + extraLen + commentLen > b.length) throw new ZipFormatError(`central directory entry ${n} runs past the end of the file`);
      const name = Buffer.from(b.buffer, b.byteOffset + p + 46, nameLen).toString('utf8');
      // ZIP64 extended information: only the fields whose 32-bit value is saturated are present, in this order.
      let e = p + 46 + nameLen;
      const extraEnd = e + extraLen;
      while (e + 4 <= extraEnd) {
        const id = this.u16(e);
        const len = this.u16(e + 2);
        if (e + 4 + len > extraEnd) throw new ZipFormatError(`central directory entry ${n} has a damaged extra field`);
        if (id === 0x0001) {
          let f = e + 4;
          const need = 8 * [size, compressedSize, localHeaderOffset].filter((v) => v === 0xffffffff).length;
          if (need > len) throw new ZipFormatError(`central directory entry ${n} has a damaged ZIP64 field`);
          if (size === 0xffffffff) { size = this.u64(f); f += 8; }
          if (compressedSize === 0xffffffff) { compressedSize = this.u64(f); f += 8; }
          if (localHeaderOffset === 0xffffffff) { localHeaderOffset = this.u64(f); f += 8; }
        }
        e += 4 + len;
      }
      this.entries.set(name, { name, method, compressedSize, size, localHeaderOffset });
      p = extraEnd + commentLen;
    }
  }

  /**
   * The entry's bytes (a view into the file for stored entries: no copy). `maxBytes`: what the
   * caller can use; a deflated entry declaring more is refused before inflating, and inflating
   * stops at the declared size, so a deflate bomb costs neither time nor memory.
   */
  read(name: string, maxBytes = MAX_ENTRY_BYTES): Uint8Array {
    const e = this.entries.get(name);
    if (!e) throw new ZipFormatError(`no entry '${name}' in the archive`);
    const o = e.localHeaderOffset;
    if (o + 30 > this.buf.length || this.u32(o) !== LOCAL) throw new ZipFormatError(`local header of '${name}' is damaged`);
    const start = o + 30 + this.u16(o + 26) + this.u16(o + 28);
    const end = start + e.compressedSize;
    if (end > this.buf.length) throw new ZipFormatError(`entry '${name}' runs past the end of the file`);
    const raw = this.buf.subarray(start, end);
    if (e.method === 0) return raw;
    if (e.method !== 8) throw new ZipFormatError(`entry '${name}' uses compression method ${e.method}, which is not supported`);
    const limit = Math.min(maxBytes, MAX_ENTRY_BYTES);
    if (e.size > limit) throw new ZipBombError(`entry '${name}' would inflate to ${e.size} bytes, more than the ${limit} its contents can use: refusing to inflate it (a deflate bomb?)`);
    let out: Buffer;
    try {
      out = inflateRawSync(raw, { maxOutputLength: Math.max(1, e.size) });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError) throw new ZipBombError(`entry '${name}' inflates to more than the ${e.size} bytes it declares (a deflate bomb?)`);
      throw new ZipFormatError(`entry '${name}' is damaged: ${(err as Error).message}`);
    }
    if (out.length !== e.size) throw new ZipFormatError(`entry '${name}' inflates to ${out.length} bytes, not the ${e.size} it declares`);
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  }
}

/** No entry of a weights archive is larger (AlexNet's biggest storage is 151 MB). */
const MAX_ENTRY_BYTES = 2 ** 31;
