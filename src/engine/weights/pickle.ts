// A restricted reader for Python pickles (protocols 2..5, plus the few protocol-0/1 opcodes
// they still use). Weight files are pickles, and a pickle is a program: any global it names is
// called. This reader never calls anything it does not know: the caller passes the globals a
// weights file legitimately needs (as plain JS functions), and any other global stops the load
// with an error naming it.

/** A Python 2 `str` (BINSTRING): raw bytes, read as text with latin1 (numpy's encoding='latin1'). */
export class Py2Str {
  constructor(readonly bytes: Uint8Array) {}
  get text(): string {
    return latin1(this.bytes);
  }
}

/** A Python dict / OrderedDict. `attrs` holds what a BUILD set on it (torch's `_metadata`). */
export class PyDict extends Map<PyKey, unknown> {
  attrs: Record<string, unknown> = {};
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

export class PickleRefusedError extends Error {}
/** The bytes are not a well-formed pickle (truncated, damaged, or built to hurt the reader). */
export class PickleFormatError extends Error {}

export function refusedGlobalMessage(qualifiedName: string): string {
  return `Refusing to load: the pickle asks for global '${qualifiedName}', which a weights file never needs`;
}

/** Reads one pickle from `data` at `start`; returns the object and where the STOP ended. */
export function unpickle(data: Uint8Array, opts: UnpickleOptions, start = 0): { value: unknown; end: number } {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let pos = start;
  let stack: unknown[] = [];
  const marks: unknown[][] = [];
  const memo = new Map<number, unknown>();

  const need = (n: number) => {
    if (pos + n > data.length) throw new PickleFormatError(`pickle is truncated (needed ${n} bytes at offset ${pos})`);
  };
  const u8 = () => (need(1), data[pos++]);
  const u16 = () => (need(2), (pos += 2), view.getUint16(pos - 2, true));
  const u32 = () => (need(4), (pos += 4), view.getUint32(pos - 4, true));
  const i32 = () => (need(4), (pos += 4), view.getInt32(pos - 4, true));
  const u64 = () => {
    need(8);
    const v = view.getBigUint64(pos, true);
    pos += 8;
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new PickleFormatError('pickle length field too large');
    return Number(v);
  };
  const bytes = (n: number) => {
    if (n < 0) throw new PickleFormatError(`malformed pickle: negative length ${n} at offset ${pos}`);
    need(n);
    pos += n;
    return data.subarray(pos - n, pos);
  };
  const line = () => {
    const end = data.indexOf(0x0a, pos);
    if (end < 0) throw new PickleFormatError('pickle is truncated (no end of line)');
    const s = latin1(data.subarray(pos, end));
    pos = end + 1;
    return s;
  };
  const pop = () => {
    if (!stack.length) throw new PickleFormatError(`malformed pickle: stack underflow at offset ${pos - 1}`);
    return stack.pop();
  };
  const top = () => {
    if (!stack.length) throw new PickleFormatError(`malformed pickle: stack underflow at offset ${pos - 1}`);
    return stack[stack.length - 1];
  };
  const popMark = () => {
    const items = stack;
    const prev = marks.pop();
    if (!prev) throw new PickleFormatError('malformed pickle: no MARK');
    stack = prev;
    return items;
  };
  const findGlobal = (module: string, name: string) => {
    const q = `${module}.${name}`;
    const g = opts.globals[q];
    if (!g) throw new PickleRefusedError(refusedGlobalMessage(q));
    return g;
  };
  const call = (fn: unknown, args: unknown) => {
    if (!isAllowedGlobal(fn) || !fn.call) throw new PickleRefusedError(`Refusing to load: the pickle calls ${describe(fn)}, which is not a known-safe constructor`);
    if (!Array.isArray(args)) throw new PickleFormatError('malformed pickle: REDUCE arguments are not a tuple');
    return fn.call(args);
  };
  const getMemo = (i: number) => {
    if (!memo.has(i)) throw new PickleFormatError(`malformed pickle: memo ${i} is not set`);
    return memo.get(i);
  };
  const setItems = (d: unknown, items: unknown[]) => {
    if (!(d instanceof PyDict)) throw new PickleFormatError('malformed pickle: SETITEM on a non-dict');
    for (let i = 0; i + 1 < items.length; i += 2) d.set(dictKey(items[i]), items[i + 1]);
  };

  for (;;) {
    const op = u8();
    switch (op) {
      case 0x80: // PROTO
        if (u8() > 5) throw new PickleFormatError('pickle protocol newer than 5');
        break;
      case 0x95: // FRAME (a length prefix; the opcodes simply follow)
        u64();
        break;
      case 0x2e: // STOP
        return { value: pop(), end: pos };
      case 0x28: // MARK
        marks.push(stack);
        stack = [];
        break;
      case 0x30: // POP
        if (stack.length) stack.pop();
        else popMark();
        break;
      case 0x31: // POP_MARK
        popMark();
        break;
      case 0x32: // DUP
        stack.push(top());
        break;
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x88: // NEWTRUE
        stack.push(true);
        break;
      case 0x89: // NEWFALSE
        stack.push(false);
        break;
      case 0x4a: // BININT
        stack.push(i32());
        break;
      case 0x4b: // BININT1
        stack.push(u8());
        break;
      case 0x4d: // BININT2
        stack.push(u16());
        break;
      case 0x8a: // LONG1
        stack.push(littleEndianSigned(bytes(u8())));
        break;
      case 0x8b: // LONG4
        stack.push(littleEndianSigned(bytes(i32())));
        break;
      case 0x49: {
        // INT (text): also encodes booleans as I00/I01
        const s = line();
        stack.push(s === '00' ? false : s === '01' ? true : parseInt(s, 10));
        break;
      }
      case 0x4c: // LONG (text)
        stack.push(Number(line().replace(/L$/, '')));
        break;
      case 0x46: // FLOAT (text)
        stack.push(parseFloat(line()));
        break;
      case 0x47: // BINFLOAT (big-endian double)
        need(8);
        stack.push(view.getFloat64(pos, false));
        pos += 8;
        break;
      case 0x58: // BINUNICODE
        stack.push(utf8(bytes(u32())));
        break;
      case 0x8c: // SHORT_BINUNICODE
        stack.push(utf8(bytes(u8())));
        break;
      case 0x8d: // BINUNICODE8
        stack.push(utf8(bytes(u64())));
        break;
      case 0x54: // BINSTRING (Python 2 str)
        stack.push(new Py2Str(bytes(i32())));
        break;
      case 0x55: // SHORT_BINSTRING
        stack.push(new Py2Str(bytes(u8())));
        break;
      case 0x42: // BINBYTES
        stack.push(bytes(u32()));
        break;
      case 0x43: // SHORT_BINBYTES
        stack.push(bytes(u8()));
        break;
      case 0x8e: // BINBYTES8
        stack.push(bytes(u64()));
        break;
      case 0x96: // BYTEARRAY8
        stack.push(bytes(u64()).slice());
        break;
      case 0x97: // NEXT_BUFFER
        throw new PickleFormatError('pickle uses out-of-band buffers (protocol 5), which a file cannot carry');
      case 0x98: // READONLY_BUFFER
        break;
      case 0x29: // EMPTY_TUPLE
        stack.push([]);
        break;
      case 0x85: // TUPLE1
        stack.push([pop()]);
        break;
      case 0x86: {
        // TUPLE2
        const b = pop();
        stack.push([pop(), b]);
        break;
      }
      case 0x87: {
        // TUPLE3
        const c = pop();
        const b = pop();
        stack.push([pop(), b, c]);
        break;
      }
      case 0x74: {
        // TUPLE (popMark first: it swaps `stack`)
        const items = popMark();
        stack.push(items);
        break;
      }
      case 0x5d: // EMPTY_LIST
        stack.push([]);
        break;
      case 0x6c: {
        // LIST
        const items = popMark();
        stack.push(items);
        break;
      }
      case 0x61: {
        // APPEND
        const v = pop();
        asList(top()).push(v);
        break;
      }
      case 0x65: {
        // APPENDS
        const items = popMark();
        const list = asList(top());
        for (const item of items) list.push(item); // not push(...items): a long MARK would overflow the call stack
        break;
      }
      case 0x7d: // EMPTY_DICT
        stack.push(new PyDict());
        break;
      case 0x64: {
        // DICT
        const d = new PyDict();
        setItems(d, popMark());
        stack.push(d);
        break;
      }
      case 0x73: {
        // SETITEM
        const v = pop();
        const k = pop();
        setItems(top(), [k, v]);
        break;
      }
      case 0x75: {
        // SETITEMS
        const items = popMark();
        setItems(top(), items);
        break;
      }
      case 0x8f: // EMPTY_SET
        stack.push(new Set());
        break;
      case 0x90: {
        // ADDITEMS
        const items = popMark();
        const s = top();
        if (!(s instanceof Set)) throw new PickleFormatError('malformed pickle: ADDITEMS on a non-set');
        for (const i of items) s.add(i);
        break;
      }
      case 0x91: {
        // FROZENSET
        const items = popMark();
        stack.push(new Set(items));
        break;
      }
      case 0x67: // GET
        stack.push(getMemo(parseInt(line(), 10)));
        break;
      case 0x68: // BINGET
        stack.push(getMemo(u8()));
        break;
      case 0x6a: // LONG_BINGET
        stack.push(getMemo(u32()));
        break;
      case 0x70: // PUT
        memo.set(parseInt(line(), 10), top());
        break;
      case 0x71: // BINPUT
        memo.set(u8(), top());
        break;
      case 0x72: // LONG_BINPUT
        memo.set(u32(), top());
        break;
      case 0x94: // MEMOIZE
        memo.set(memo.size, top());
        break;
      case 0x63: {
        // GLOBAL "module\nname\n"
        const module = line();
        stack.push(findGlobal(module, line()));
        break;
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') throw new PickleFormatError('malformed pickle: STACK_GLOBAL needs two strings');
        stack.push(findGlobal(module, name));
        break;
      }
      case 0x52: {
        // REDUCE
        const args = pop();
        stack.push(call(pop(), args));
        break;
      }
      case 0x81: {
        // NEWOBJ: cls.__new__(cls, *args), allowed only for our known classes
        const args = pop();
        stack.push(call(pop(), args));
        break;
      }
      case 0x92: {
        // NEWOBJ_EX
        const kwargs = pop();
        const args = pop();
        const cls = pop();
        if (kwargs instanceof PyDict && kwargs.size) throw new PickleFormatError('pickle passes keyword arguments to a constructor; not supported');
        stack.push(call(cls, args));
        break;
      }
      case 0x62: {
        // BUILD
        const state = pop();
        const obj = top();
        if (obj instanceof PyDict) {
          // OrderedDict's attribute dict (torch's state_dict `_metadata`); a (state, slots) pair also occurs.
          const attrs = Array.isArray(state) ? state[0] : state;
          if (attrs instanceof PyDict) for (const [k, v] of attrs) obj.attrs[String(k)] = v;
        } else if (isBuildable(obj)) {
          obj.setState(state);
        } else {
          throw new PickleRefusedError(`Refusing to load: the pickle sets the state of ${describe(obj)}, which a weights file never needs`);
        }
        break;
      }
      case 0x51: {
        // BINPERSID
        const pid = pop();
        if (!opts.persistentLoad) throw new PickleRefusedError('Refusing to load: the pickle refers to external data (a persistent id) where none is expected');
        stack.push(opts.persistentLoad(pid));
        break;
      }
      case 0x50: {
        // PERSID (text)
        const pid = line();
        if (!opts.persistentLoad) throw new PickleRefusedError('Refusing to load: the pickle refers to external data (a persistent id) where none is expected');
        stack.push(opts.persistentLoad(pid));
        break;
      }
      case 0x69: // INST
      case 0x6f: // OBJ
        throw new PickleRefusedError('Refusing to load: the pickle builds a class instance the old way (INST/OBJ), which a weights file never needs');
      case 0x82: // EXT1
      case 0x83: // EXT2
      case 0x84: // EXT4
        throw new PickleRefusedError('Refusing to load: the pickle uses the extension registry (EXT), which a weights file never needs');
      default:
        throw new PickleFormatError(`unsupported pickle opcode 0x${op.toString(16).padStart(2, '0')} at offset ${pos - 1}`);
    }
  }
}

function isAllowedGlobal(x: unknown): x is AllowedGlobal {
  return typeof x === 'object' && x !== null && typeof (x as AllowedGlobal).qualifiedName === 'string';
}
function isBuildable(x: unknown): x is Buildable {
  return typeof x === 'object' && x !== null && typeof (x as Buildable).setState === 'function';
}
function asList(x: unknown): unknown[] {
  if (!Array.isArray(x)) throw new PickleFormatError('malformed pickle: APPEND on a non-list');
  return x;
}
function describe(x: unknown): string {
  if (isAllowedGlobal(x)) return `'${x.qualifiedName}'`;
  if (x === null) return 'None';
  return typeof x === 'object' ? `an object of type ${x.constructor?.name ?? 'unknown'}` : `a ${typeof x}`;
}

function dictKey(k: unknown): PyKey {
  if (k instanceof Py2Str) return k.text;
  if (typeof k === 'string' || typeof k === 'number' || typeof k === 'boolean' || k === null) return k;
  if (typeof k === 'bigint') return Number(k);
  if (Array.isArray(k)) {
    // A tuple key of plain values only: a nested or shared one could be huge once written out.
    const parts = k.map((x) => (x instanceof Py2Str ? x.text : x));
    if (!parts.every((x) => x === null || ['string', 'number', 'boolean'].includes(typeof x))) throw new PickleFormatError('unsupported dict key in pickle: a tuple holding containers');
    return JSON.stringify(parts);
  }
  throw new PickleFormatError('unsupported dict key type in pickle');
}

/** Python's arbitrary-precision little-endian two's complement integers (LONG1/LONG4). */
function littleEndianSigned(b: Uint8Array): number {
  if (b.length === 0) return 0;
  // Weights files hold small ints (sizes, strides, the 10-byte legacy magic); a long one would cost quadratic time.
  if (b.length > 32) throw new PickleFormatError(`the pickle holds a ${b.length}-byte integer, which a weights file never needs`);
  let v = 0n;
  for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]);
  if (b[b.length - 1] & 0x80) v -= 1n << BigInt(8 * b.length);
  return Number(v);
}

export function latin1(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');
}
function utf8(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('utf8');
}

/** Text from a pickled str of either Python (keys of bvlc_alexnet.npy are Python 2 strs). */
export function pyText(x: unknown): string | undefined {
  if (typeof x === 'string') return x;
  if (x instanceof Py2Str) return x.text;
  return undefined;
}

/** Raw bytes from a pickled bytes (Py3) or str (Py2, read with latin1). */
export function pyBytes(x: unknown): Uint8Array | undefined {
  if (x instanceof Uint8Array) return x;
  if (x instanceof Py2Str) return x.bytes;
  if (typeof x === 'string') return Uint8Array.from(Buffer.from(x, 'latin1'));
  return undefined;
}

/**
 * `_codecs.encode(text, 'latin1')`: how Python 3 pickles bytes at protocol 2. Pure (text -> bytes),
 * so it is safe to allow where bytes may appear (numpy array data).
 */
export const CODECS_ENCODE: AllowedGlobal = {
  qualifiedName: '_codecs.encode',
  call: ([text, encoding]) => {
    const enc = pyText(encoding) ?? 'utf-8';
    const t = pyText(text);
    if (t === undefined) throw new PickleFormatError('_codecs.encode: not a string');
    if (!/^(latin-?1|iso-8859-1)$/i.test(enc)) throw new PickleRefusedError(`Refusing to load: _codecs.encode with encoding '${enc}' is not needed by a weights file`);
    return Uint8Array.from(Buffer.from(t, 'latin1'));
  },
};
