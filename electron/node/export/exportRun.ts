import { plainText, sampleMarkdown } from '../../../shared/model/sampleMarkdown.ts';
import { isJsonObject, stringifyInspectJson } from '../../../shared/formats/json/inspectJson.ts';
import { scalarText, type Sample } from '../../../shared/model/log.ts';
import type { RunReader } from '../../../shared/formats/runReader.ts';
import { SalvageError } from '../../../shared/util/errors.ts';
import { writeOutput } from '../io/writeOutput.ts';
import { formatFromPath, openLogSource, withLog } from '../logs/openLog.ts';
import { STREAM_CHUNK_BYTES } from '../../../shared/util/limits.ts';
import { EvalLogReader } from '../../../shared/formats/inspect-eval/evalLogReader.ts';
import { JsonLogReader } from '../../../shared/formats/inspect-json/jsonLogReader.ts';
import { defaultCodecs } from '../codecs/defaultCodecs.ts';

import type { ExportFormat } from '../../../shared/model/exportFormat.ts';

export interface ExportReport {
  readonly output: string;
  readonly format: ExportFormat | 'md';
  readonly samples: number;
}

/**
 * Export a run: `eval` (an Inspect-compatible copy), `json` (one Inspect `.json` log, the header
 * fields then `samples`), `jsonl` (one resolved sample per line), `csv` (per-sample scores).
 * Samples are read and written one at a time; every output is written atomically. The log and
 * the output may each be a local file or an `s3://` object (see writeOutput).
 */
export async function exportRun(
  log: string,
  format: ExportFormat,
  output: string,
  overwrite = false,
): Promise<ExportReport> {
  if (format === 'eval') {
    // A .eval is already Inspect's format: a verified byte copy (a recovered log is one too).
    if (!log.endsWith('.eval')) {
      throw new SalvageError(
        'unsupported-format',
        'Export to .eval takes a .eval log; a .json log exports to json, jsonl or csv.',
      );
    }
    // Copied from the source it was read through (a file, or an object pinned to its ETag).
    const samples = await withLog(log, async (reader, source) => {
      await writeOutput(
        output,
        async (handle) => {
          for (let at = 0; at < source.size; at += STREAM_CHUNK_BYTES)
            await handle.write(
              await source.read(at, Math.min(STREAM_CHUNK_BYTES, source.size - at)),
            );
        },
        { overwrite },
      );
      return (await reader.listSamples()).length;
    });
    return { output, format, samples };
  }
  return withWrittenBackLog(log, async (reader) => {
    let count = 0;
    await writeOutput(
      output,
      async (handle) => {
        const write = async (text: string): Promise<void> => {
          await handle.write(text);
        };
        switch (format) {
          case 'json': {
            const header = await reader.readHeader();
            const fields = Object.entries(header).map(
              ([key, value]) => `  ${JSON.stringify(key)}: ${stringifyInspectJson(value)}`,
            );
            await write(`{\n${fields.join(',\n')},\n  "samples": [`);
            count = await eachSample(reader, async (sample, index) =>
              write(`${index ? ',' : ''}\n    ${stringifyInspectJson(sample)}`),
            );
            const reductions = await reader.readReductions();
            await write(
              `\n  ]${reductions ? `,\n  "reductions": ${stringifyInspectJson(reductions)}` : ''}\n}\n`,
            );
            break;
          }
          case 'jsonl':
            count = await eachSample(reader, async (sample) =>
              write(`${stringifyInspectJson(sample)}\n`),
            );
            break;
          case 'csv': {
            const summaries = await reader.readSummaries();
            const scorers = [
              ...new Set(
                summaries.flatMap((summary) =>
                  isJsonObject(summary.scores) ? Object.keys(summary.scores) : [],
                ),
              ),
            ];
            await write(`${['id', 'epoch', ...scorers, 'error'].map(csvCell).join(',')}\n`);
            for (const summary of summaries) {
              const scores = isJsonObject(summary.scores) ? summary.scores : {};
              const cells = scorers.map((name) => {
                const score = scores[name];
                return isJsonObject(score) ? plainText(score.value) : '';
              });
              await write(
                `${[scalarText(summary.id), plainText(summary.epoch), ...cells, plainText(summary.error)].map(csvCell).join(',')}\n`,
              );
              count += 1;
            }
            break;
          }
        }
      },
      { overwrite },
    );
    return { output, format, samples: count };
  });
}

/** A sample's conversation and transcript as Markdown, for reading or pasting into a report. */
export async function exportSampleMarkdown(
  log: string,
  id: string,
  epoch: number,
  output: string,
  overwrite = false,
): Promise<ExportReport> {
  const sample = await withLog(log, (reader) => reader.readSample(id, epoch));
  await writeOutput(
    output,
    async (handle) => {
      await handle.write(sampleMarkdown(sample));
    },
    { overwrite },
  );
  return { output, format: 'md', samples: 1 };
}

/**
 * Open a log whose JSON an export writes back: an Inspect log is read keeping each number's text
 * (`2.0` stays a float for Python); other logs as usual.
 */
async function withWrittenBackLog<T>(
  log: string,
  use: (reader: RunReader) => Promise<T>,
): Promise<T> {
  const format = formatFromPath(log);
  if (format === null) return withLog(log, use);
  const source = await openLogSource(log);
  try {
    const reader =
      format === 'inspect-eval'
        ? await EvalLogReader.open(source, defaultCodecs(), { lossless: true })
        : await JsonLogReader.open(source, { lossless: true });
    return await use(reader);
  } finally {
    await source.close();
  }
}

async function eachSample(
  reader: RunReader,
  use: (sample: Sample, index: number) => Promise<void>,
): Promise<number> {
  let index = 0;
  for (const ref of await reader.listSamples())
    await use(await reader.readSample(ref.id, ref.epoch), index++);
  return index;
}

/** RFC 4180 quoting. */
function csvCell(text: string): string {
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
