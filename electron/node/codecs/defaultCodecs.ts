import type { Codecs } from '../../../shared/formats/zip/codecs.ts';
import { hasNativeZstd, nodeZlibCodecs } from './nodeZlibCodecs.ts';
import { portableCodecs } from './portableCodecs.ts';

let chosen: Codecs | undefined;

/** Native zlib where this Node has zstd (Node 24, Electron ≥ 40), the portable decoder elsewhere. */
export function defaultCodecs(): Codecs {
  chosen ??= hasNativeZstd() ? nodeZlibCodecs() : portableCodecs();
  return chosen;
}
