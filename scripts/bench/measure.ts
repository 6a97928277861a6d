// One measurement in a process of its own, so its peak memory is its own:
//   node measure.ts summaries FILE      → header + summaries: time, reads, bytes read
//   node measure.ts decode FILE ENTRY CODECS → stream-decode one entry: time, bytes, peak RSS
import { peakRss } from './peakRss.ts';
import { performance } from 'node:perf_hooks';
import { CountingByteSource } from '../../shared/formats/bytes/byteSource.ts';
import { EvalLogReader } from '../../shared/formats/inspect-eval/evalLogReader.ts';
import { readEntryChunks } from '../../shared/formats/zip/entryReader.ts';
import { FileByteSource } from '../../electron/node/io/fileByteSource.ts';
import { nodeZlibCodecs } from '../../electron/node/codecs/nodeZlibCodecs.ts';
import { portableCodecs } from '../../electron/node/codecs/portableCodecs.ts';

const [mode, path, entryName, codecsName] = process.argv.slice(2);
const source = await FileByteSource.open(path!);
const counting = new CountingByteSource(source);
const codecs = codecsName === 'portable' ? portableCodecs() : nodeZlibCodecs();
const started = performance.now();
let result: Record<string, number | string>;
if (mode === 'summaries') {
  const reader = await EvalLogReader.open(counting, codecs);
  await reader.readHeader();
  const summaries = await reader.readSummaries();
  result = { summaries: summaries.length, reads: counting.reads, bytesRead: counting.bytesRead };
  result.seconds = (performance.now() - started) / 1000;
} else {
  // Decode three times: the first run in a fresh process pays for warm-up (JIT, thread pool); a
  // long-running app decodes warm.
  const reader = await EvalLogReader.open(source, codecs);
  const entry = reader.directory.byName.get(entryName!)!;
  const runs: number[] = [];
  let bytes = 0;
  for (let run = 0; run < 3; run++) {
    const runStarted = performance.now();
    bytes = 0;
    for await (const chunk of readEntryChunks(source, entry, codecs)) bytes += chunk.length;
    runs.push((performance.now() - runStarted) / 1000);
  }
  result = {
    bytes,
    compressedBytes: entry.compressedSize,
    coldSeconds: runs[0]!,
    seconds: Math.min(...runs),
  };
}
result.maxRssBytes = peakRss();
await source.close();
console.log(JSON.stringify(result));
