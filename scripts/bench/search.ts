// Search benchmark (npm run bench:search; not part of the tests). Indexes the listing benchmark's
// mix (10,000 copies of the demo's runs) plus one run of 100,000 samples (and a huge sample of
// 1 GiB in it), then prints, beside the plain decode of the same files measured in the same run:
//   samples per second while indexing (target: within 3x of decoding), the index's size as a
//   ratio of the logs' uncompressed text, the indexing process's peak RSS, and the latency of
//   100 queries (words, phrases, prefixes, rare and common terms; target: median < 50 ms,
//   worst < 200 ms).
// Decoding and indexing each run in a process of their own, so that each peak RSS is its own.
// Smaller sizes for a busy machine: --runs N --samples N --huge-mb N (the README quotes full size).
import { spawnSync } from 'node:child_process';
import { peakRss } from './peakRss.ts';
import { existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { EvalLogReader } from '../../shared/formats/inspect-eval/evalLogReader.ts';
import { monolithSampleEntryName } from '../../shared/formats/inspect-eval/entryNames.ts';
import { readEntryChunks } from '../../shared/formats/zip/entryReader.ts';
import { NO_SEARCH_FILTERS } from '../../shared/search/searchTypes.ts';
import { defaultCodecs } from '../../electron/node/codecs/defaultCodecs.ts';
import { findLogFiles } from '../../electron/node/logs/findLogFiles.ts';
import { withLog } from '../../electron/node/logs/openLog.ts';
import { PARSE_WHOLE_BYTES } from '../../electron/node/search/runIndexer.ts';
import { SearchEngine } from '../../electron/node/search/searchEngine.ts';
import { SearchStore } from '../../electron/node/search/searchStore.ts';
import { generateLargeEval } from './generateLargeEval.ts';
import { writeListingMix } from './listingMix.ts';

const MiB = 1024 * 1024;
const root = fileURLToPath(new URL('../../', import.meta.url));

const { values, positionals } = parseArgs({
  options: {
    runs: { type: 'string', default: '10000' },
    samples: { type: 'string', default: '100000' },
    'huge-mb': { type: 'string', default: '1024' },
    decode: { type: 'boolean', default: false },
    index: { type: 'boolean', default: false },
  },
  allowPositionals: true,
});

/** Every sample of every log under `folder`, read as the app's readers read it. */
async function decodeAll(folder: string): Promise<{ samples: number; seconds: number }> {
  const codecs = defaultCodecs();
  const started = performance.now();
  let samples = 0;
  for (const path of await findLogFiles(folder)) {
    await withLog(
      path,
      async (reader) => {
        for (const ref of await reader.listSamples()) {
          const evalReader = reader instanceof EvalLogReader ? reader : null;
          const entry = evalReader?.directory.byName.get(
            monolithSampleEntryName(ref.id, ref.epoch),
          );
          if (evalReader && entry && entry.uncompressedSize > PARSE_WHOLE_BYTES) {
            // Too large to parse whole (as the index reads it, item by item): decoded only.
            for await (const chunk of readEntryChunks(evalReader.source, entry, codecs)) void chunk;
          } else await reader.readSample(ref.id, ref.epoch);
          samples += 1;
        }
      },
      codecs,
    );
  }
  return { samples, seconds: (performance.now() - started) / 1000 };
}

async function indexAll(
  folder: string,
  indexPath: string,
): Promise<{ samples: number; runs: number; seconds: number }> {
  const engine = new SearchEngine(indexPath);
  const started = performance.now();
  const progress = await engine.index([folder]);
  const seconds = (performance.now() - started) / 1000;
  engine.close();
  return { samples: progress.samples, runs: progress.runsIndexed, seconds };
}

if (values.decode || values.index) {
  const [folder, indexPath] = positionals as [string, string];
  const cpu = process.cpuUsage();
  const result = values.decode ? await decodeAll(folder) : await indexAll(folder, indexPath);
  const { user, system } = process.cpuUsage(cpu);
  console.log(JSON.stringify({ ...result, cpuSeconds: (user + system) / 1e6, peakRss: peakRss() }));
  process.exit(0);
}

const runs = Number(values.runs);
const samples = Number(values.samples);
const hugeMb = Number(values['huge-mb']);
const folder = join(root, `.bench/search-${runs}-${samples}-${hugeMb}`);
const logs = join(folder, 'logs');
const ready = join(folder, 'generated');
if (!existsSync(ready)) {
  rmSync(folder, { recursive: true, force: true });
  console.log(
    `generating ${runs} runs and a run of ${samples} samples (once; kept in ${folder}) …`,
  );
  writeListingMix(join(logs, 'listing'), runs);
  mkdirSync(join(logs, 'big'), { recursive: true });
  await generateLargeEval(join(logs, 'big/run.eval'), {
    samples,
    sampleBytes: 2048,
    hugeSampleBytes: hugeMb * MiB,
  });
  writeFileSync(ready, '');
}

/** The logs' text: every sample entry's uncompressed size (.eval), the whole file (.json). */
async function uncompressedText(): Promise<number> {
  let bytes = 0;
  for (const path of await findLogFiles(logs)) {
    if (!path.endsWith('.eval')) {
      bytes += statSync(path).size;
      continue;
    }
    await withLog(path, (reader) => {
      if (reader instanceof EvalLogReader)
        for (const entry of reader.directory.entries)
          if (entry.name.startsWith('samples/')) bytes += entry.uncompressedSize;
      return Promise.resolve();
    });
  }
  return bytes;
}

function child(...args: string[]): Record<string, number> {
  const run = spawnSync(process.execPath, [fileURLToPath(import.meta.url), ...args], {
    encoding: 'utf8',
    maxBuffer: 16 * MiB,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (run.status !== 0) throw new Error(`${args[0]} failed: ${run.stdout}`);
  return JSON.parse(run.stdout.trim().split('\n').at(-1)!) as Record<string, number>;
}

const text = await uncompressedText();
console.log(
  `\n${runs.toLocaleString()} runs of the listing mix + 1 run of ${samples.toLocaleString()} samples and one of ${hugeMb} MiB`,
);
console.log(`logs' uncompressed text: ${(text / MiB).toFixed(0)} MiB`);

const decode = child('--decode', logs);
const indexPath = join(folder, 'search-index.sqlite');
SearchStore.remove(indexPath);
const index = child('--index', logs, indexPath);
const indexBytes = [indexPath, `${indexPath}-wal`]
  .filter((file) => existsSync(file))
  .reduce((sum, file) => sum + statSync(file).size, 0);

const decodeRate = decode.samples! / decode.seconds!;
const indexRate = index.samples! / index.seconds!;
// Rates per second of wall time and per second of CPU: on a shared machine the CPU rates do not
// depend on what else runs.
const cpuRate = (result: Record<string, number>) => result.samples! / result.cpuSeconds!;
const line = (name: string, result: Record<string, number>, rate: number, what: string) =>
  console.log(
    `  ${name.padEnd(25)} ${rate.toFixed(0).padStart(8)} samples/s ${cpuRate(result).toFixed(0).padStart(8)} samples/CPU s  (${what} in ${result.seconds!.toFixed(1)} s, ${result.cpuSeconds!.toFixed(1)} CPU s, peak RSS ${(result.peakRss! / MiB).toFixed(0)} MB)`,
  );
console.log('');
line('plain decode (reference)', decode, decodeRate, `${decode.samples} samples`);
line('indexing', index, indexRate, `${index.samples} samples of ${index.runs} runs`);
console.log(
  `  indexing / decode          ${(decodeRate / indexRate).toFixed(2).padStart(8)} x slower, ${(cpuRate(decode) / cpuRate(index)).toFixed(2)} x in CPU time  (target: within 3x)`,
);
console.log(
  `  index size                 ${(indexBytes / MiB).toFixed(0).padStart(8)} MiB  = ${(indexBytes / text).toFixed(2)} of the logs' uncompressed text`,
);

// 100 queries: common and rare words, phrases, prefixes, OR and NOT, each as the search box
// asks (the first 100 hits, no filter) over every run.
const QUERIES = [
  'the',
  'model',
  'tool',
  'answer',
  'error',
  'sample',
  'user',
  'assistant',
  'score',
  'result',
  'AIVDM',
  'bookworm',
  'restic',
  'followers',
  'popularity',
  'criterion',
  'checksum',
  'mmsi',
  'latency',
  'budget',
  '"tool output"',
  '"the model answered"',
  '"secure by default"',
  '"decodes AIS messages"',
  '"error retry"',
  '"context window"',
  '"input target"',
  '"large number of fans"',
  '"package.json"',
  '"npm install"',
  'mod*',
  'ans*',
  'deco*',
  'scor*',
  'resp*',
  'secur*',
  'follow*',
  'tok*',
  'agent1*',
  'reas*',
  'tool OR agent',
  'AIS OR NMEA',
  'error -retry',
  'model -answered',
  'popularity fans',
  'decoder typescript',
  'assistant reasoning step',
  'window budget limit',
  'ais decoder checksum',
  'secure libraries',
];
const queries = Array.from({ length: 100 }, (_, at) => QUERIES[at % QUERIES.length]!);
const engine = new SearchEngine(indexPath);
// Each query's wall time and its CPU time (a query runs on one thread, synchronously: its CPU
// time is its latency on an idle machine).
const wall: number[] = [];
const cpu: number[] = [];
for (const query of queries) {
  const started = performance.now();
  const used = process.cpuUsage();
  engine.search({ ...NO_SEARCH_FILTERS, query, limit: 100 }, [logs]);
  const { user, system } = process.cpuUsage(used);
  wall.push(performance.now() - started);
  cpu.push((user + system) / 1000);
}
const spread = (times: number[]): string => {
  const sorted = [...times].sort((a, b) => a - b);
  const worst = sorted.at(-1)!;
  return `median ${sorted[Math.floor(sorted.length / 2)]!.toFixed(1)} ms, worst ${worst.toFixed(1)} ms (${queries[times.indexOf(worst)]})`;
};
console.log(`  query latency, wall        ${spread(wall)}  (target: < 50 ms, < 200 ms)`);
console.log(`  query latency, CPU         ${spread(cpu)}`);
const big = join(logs, 'big/run.eval');
let started = performance.now();
const matched = engine.matchingSamples(big, 'answered');
console.log(
  `  text_contains over the ${samples.toLocaleString()}-sample run  ${(performance.now() - started).toFixed(0)} ms (${matched.length.toLocaleString()} samples match "answered")`,
);
started = performance.now();
engine.matchingSamples(big, '"tool output result"');
console.log(
  `  text_contains, a phrase                ${(performance.now() - started).toFixed(0)} ms`,
);
engine.close();
