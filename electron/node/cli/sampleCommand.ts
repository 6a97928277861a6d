import { isJsonObject } from '../../../shared/formats/json/inspectJson.ts';
import { writeResolvedSample } from '../../../shared/formats/sample/resolvedWriter.ts';
import { SamplePager } from '../../../shared/formats/sample/samplePager.ts';
import { indexSample } from '../sample/indexSample.ts';
import { messageLine, sampleFooterLine, sampleHeaderLines } from './humanOutput.ts';
import type { Output } from './output.ts';
import { parseCommandArgs, UsageError } from './usage.ts';

/** An output that can also take bytes as a stream, waiting while its reader catches up. */
export interface StreamingOutput extends Output {
  write?(chunk: Uint8Array | string): Promise<void>;
}

/** Messages read per page for the human output. */
const PAGE_ITEMS = 200;

/**
 * `salvage sample LOG ID EPOCH [--json]`: one sample, whatever its size, through the paged
 * reader's index: `--json` streams the resolved sample (pools and attachments put back) as it is
 * read; the human form prints the header and each message a page at a time. Memory stays
 * bounded by a page, not by the sample.
 */
export async function sampleCommand(
  args: ReadonlyArray<string>,
  output: StreamingOutput,
): Promise<number> {
  const parsed = parseCommandArgs(args, { json: { type: 'boolean', default: false } });
  if (parsed.positionals.length !== 3) {
    throw new UsageError(`Expected 3 argument(s), got ${parsed.positionals.length}.`);
  }
  const [path, id, epochText] = parsed.positionals as [string, string, string];
  const epoch = Number(epochText);
  if (!Number.isInteger(epoch) || epoch < 1)
    throw new UsageError(`EPOCH must be a positive integer, got "${epochText}".`);
  const sample = await indexSample(path, id, epoch);
  try {
    if (parsed.values.json === true) await printJson(sample.index, sample.bytes, output);
    else await printHuman(new SamplePager(sample.index, sample.bytes), output);
  } finally {
    await sample.bytes.close();
  }
  return 0;
}

async function printJson(
  index: Parameters<typeof writeResolvedSample>[0],
  bytes: Parameters<typeof writeResolvedSample>[1],
  output: StreamingOutput,
): Promise<void> {
  if (output.write) {
    await writeResolvedSample(index, bytes, (chunk) => output.write!(chunk));
    await output.write('\n');
    return;
  }
  // An in-process caller without a stream (tests) gets the text at once.
  const decoder = new TextDecoder();
  let text = '';
  await writeResolvedSample(index, bytes, (chunk) => {
    text += decoder.decode(chunk, { stream: true });
  });
  output.out(text + decoder.decode());
}

async function printHuman(pager: SamplePager, output: StreamingOutput): Promise<void> {
  const overview = await pager.overview();
  const lines = sampleHeaderLines(overview.fields);
  for (let start: number | null = 0; start !== null;) {
    const page = await pager.messages(start, PAGE_ITEMS);
    for (const item of page.items) {
      if (isJsonObject(item.value))
        lines.push(messageLine(item.value, item.truncations.length > 0));
    }
    output.out(lines.splice(0).join('\n'));
    start = page.next;
  }
  output.out(['', sampleFooterLine(overview.messages.count, overview.events.count)].join('\n'));
}
