// Node has the WebAssembly global, but TypeScript declares it only in the DOM lib, which the
// engine's tsconfig leaves out (no DOM in the engine). The few members the engine uses:
declare namespace WebAssembly {
  function validate(bytes: ArrayBufferView | ArrayBuffer): boolean;
  interface Memory {
    readonly buffer: ArrayBuffer;
    grow(delta: number): number;
  }
}
