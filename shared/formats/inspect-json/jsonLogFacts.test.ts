import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fixture, fixtureFiles } from '../../../test/support/fixtures.ts';
import { MemoryByteSource } from '../bytes/byteSource.ts';
import { runFacts } from '../../model/runFacts.ts';
import { JSON_SCAN_CHUNK_BYTES } from '../../util/limits.ts';
import { parseInspectJson, stringifyInspectJson, type JsonObject } from '../json/inspectJson.ts';
import { JsonLogReader } from './jsonLogReader.ts';
import { scanJsonLogFacts } from './jsonLogFacts.ts';

/** What the reader makes of a log: its header, and the facts of its header and summaries. */
async function readWhole(bytes: Uint8Array) {
  const reader = await JsonLogReader.open(new MemoryByteSource(bytes));
  const header = await reader.readHeader();
  return { header, facts: runFacts(header, await reader.readSummaries()) };
}

async function scanned(bytes: Uint8Array) {
  const found = await scanJsonLogFacts(new MemoryByteSource(bytes));
  return found && { header: found.header, facts: runFacts(found.header, found.summaries) };
}

const encode = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('scanJsonLogFacts: the facts of a .json log without parsing its samples whole', () => {
  const logs = fixtureFiles('.json');

  it.each(logs)(
    '%s: the same header and facts as the reader, or none where it fails',
    async (path) => {
      const bytes = new Uint8Array(readFileSync(fixture(path)));
      const whole = await readWhole(bytes).catch(() => null);
      expect(await scanned(bytes)).toEqual(whole);
    },
  );

  it('reads fields cut by the scan’s chunks as the reader does (a log of several chunks)', async () => {
    const log = parseInspectJson(
      readFileSync(fixture(logs.find((path) => path.endsWith('_popularity.json'))!), 'utf8'),
      'log',
    ) as JsonObject;
    const samples = (log.samples as JsonObject[]).map((sample, index) => ({
      ...sample,
      // Long fields the facts skip, and one they keep: chunk ends fall inside both.
      metadata: { note: 'm'.repeat(40_000 + index * 997) },
      ...(index % 2 === 0
        ? { error: { message: 'e'.repeat(JSON_SCAN_CHUNK_BYTES), traceback: '' } }
        : {}),
    }));
    const eval_ = { ...(log.eval as JsonObject), padding: 'p'.repeat(JSON_SCAN_CHUNK_BYTES) };
    const bytes = encode(stringifyInspectJson({ ...log, eval: eval_, samples }, 2));
    expect(bytes.length).toBeGreaterThan(3 * JSON_SCAN_CHUNK_BYTES);
    const whole = await readWhole(bytes);
    expect(whole.facts.errors).toBeGreaterThan(0);
    expect(await scanned(bytes)).toEqual(whole);
  });

  it('keeps the last of a repeated sample (id and epoch), as the reader does', async () => {
    const sample = (error: boolean) => ({
      id: 1,
      epoch: 1,
      ...(error ? { error: { message: 'boom', traceback: '' } } : {}),
    });
    const log = { version: 2, status: 'success', eval: {}, samples: [sample(true), sample(false)] };
    const bytes = encode(JSON.stringify(log));
    expect((await scanned(bytes))?.facts.errors).toBe(0);
    expect(await scanned(bytes)).toEqual(await readWhole(bytes));
  });

  it('reads a log indented inconsistently (a bracket closed at its container’s indentation) as the reader does', async () => {
    const text = readFileSync(
      fixture(logs.find((path) => path.endsWith('_popularity.json'))!),
      'utf8',
    );
    const log = stringifyInspectJson(parseInspectJson(text, 'log'), 2);
    const deep = /\n {10}\]/.exec(log)!;
    const odd = encode(log.replace(deep[0], '\n      ]'));
    expect((await readWhole(odd)).facts).toEqual((await readWhole(encode(log))).facts);
    expect(await scanned(odd)).toEqual(await readWhole(odd));
  });

  it('reads a sample’s fields after one whose closing line is indented less than it opened', async () => {
    // "messages" closes at column 0: a skip that looked for the next line indented as it opened
    // would end it at "events" instead, and lose the error between them.
    const text = [
      '{',
      '  "version": 2,',
      '  "status": "error",',
      '  "eval": {},',
      '  "samples": [',
      '    {',
      '      "id": 1,',
      '      "epoch": 1,',
      '      "messages": [',
      '        "hi"',
      '],',
      '      "error": {"message": "boom", "traceback": ""},',
      '      "events": [',
      '        1',
      '      ]',
      '    }',
      '  ]',
      '}',
    ].join('\n');
    const bytes = encode(text);
    const whole = await readWhole(bytes);
    expect(whole.facts.errors).toBe(1);
    expect(await scanned(bytes)).toEqual(whole);
  });

  it('leaves to the reader what it cannot answer for', async () => {
    const cases = [
      '[1, 2]',
      '{"version": 2, "samples": []}',
      '{"version": 2, "status": "success", "eval": {}, "samples": [1]}',
      '{"version": 2, "status": "success", "eval": {}, "samples": [{"id": 1',
      '{"version": 2, "status": "success", "eval": {"a": 1,}, "samples": []}',
    ];
    for (const text of cases)
      expect(await scanJsonLogFacts(new MemoryByteSource(encode(text)))).toBeNull();
  });
});
