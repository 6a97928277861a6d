// placeholder until the chunked layout research lands
import type { ZipDirectory, ZipEntry } from '../zip/zipEntry.ts';
import type { JsonValue } from '../json/inspectJson.ts';
import type { Sample } from '../../model/log.ts';
import { SalvageError } from '../../util/errors.ts';
export function readChunkedSample(
  directory: ZipDirectory,
  folder: string,
  readJson: (entry: ZipEntry) => Promise<JsonValue>,
): Promise<Sample> {
  void directory;
  void readJson;
  return Promise.reject(new SalvageError('unsupported-format', `chunked ${folder}`));
}
