// shared/ compiles with `types: []` (no DOM, no Node) so it cannot reach fs, Buffer or window.
// These few universal globals exist in every runtime we target (Node, Electron, browsers).

declare class TextDecoder {
  constructor(label?: string, options?: { fatal?: boolean; ignoreBOM?: boolean });
  decode(input?: Uint8Array, options?: { stream?: boolean }): string;
}

declare class TextEncoder {
  encode(input?: string): Uint8Array<ArrayBuffer>;
}
