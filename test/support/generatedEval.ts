import { open } from 'node:fs/promises';
import { METHOD_ZSTD } from '../../shared/formats/zip/zipEntry.ts';
import { FileZipSink } from '../../electron/node/zip/fileZipSink.ts';
import { ZipWriter } from '../../electron/node/zip/zipWriter.ts';

/** The entry name of the one sample a generated `.eval` holds. */
export const GENERATED_ENTRY = 'samples/generated_epoch_1.json';

/**
 * A finished `.eval` whose one sample (`generated`, epoch 1) is `sample`'s bytes: zstd in frames
 * of `frameInputBytes` (Inspect's 200 MiB unless told), or deflate. For the paged reader's tests,
 * the sample view's end-to-end tests and `npm run bench:sample`.
 */
export async function writeGeneratedEval(
  path: string,
  sample: AsyncIterable<Uint8Array> | Uint8Array,
  options: { readonly method?: number; readonly frameInputBytes?: number } = {},
): Promise<void> {
  const handle = await open(path, 'w');
  const sink = new FileZipSink(handle);
  const writer = new ZipWriter(sink);
  const json = (value: unknown): Uint8Array => Buffer.from(JSON.stringify(value));
  const spec = { task: 'generated', model: 'openai/gpt-5', created: '2026-06-10T18:00:00+00:00' };
  await writer.add('_journal/start.json', json({ version: 2, eval: spec, plan: {} }));
  await writer.add(GENERATED_ENTRY, sample, {
    method: options.method ?? METHOD_ZSTD,
    ...(options.frameInputBytes ? { frameInputBytes: options.frameInputBytes } : {}),
  });
  const summary = { id: 'generated', epoch: 1, input: 'x', target: 'pass', completed: true };
  await writer.add('summaries.json', json([summary]));
  await writer.add('header.json', json({ version: 2, status: 'success', eval: spec, plan: {} }));
  await writer.finish();
  await sink.flush();
  await handle.close();
}
