import { describe, expect, it } from 'vitest';
import { isJsonObject, type JsonValue } from '../../../shared/formats/json/inspectJson.ts';
import { scalarText, type Sample } from '../../../shared/model/log.ts';
import { upgradeSample } from '../../../shared/recovery/currentSchema.ts';
import {
  eventSummary,
  transcriptTree,
  type TranscriptNode,
} from '../../../shared/model/transcript.ts';
import { fixture } from '../../../test/support/fixtures.ts';
import {
  inspectUnionKinds,
  inspectValidator,
  schemaErrors,
} from '../../../test/support/inspectSchema.ts';
import { withLog } from './openLog.ts';

/**
 * The every-kind fixture: a log the real Inspect wrote (tools/inspect-real/every_kind.py) to hold
 * every event kind and content kind of its schema that it can write on this machine, offline.
 */
const EVERY_KIND = ['real-made/every-kind/every-kind.eval', 'real-made/every-kind/every-kind.json'];

/** Event kinds of the schema's `Event` union that the real Inspect could not write here, and why. */
const EVENTS_NOT_PRODUCED: ReadonlyMap<string, string> = new Map([
  [
    'step',
    'Inspect no longer writes it: transcript().step() is a deprecated no-op (spans replaced steps)',
  ],
  [
    'checkpoint',
    'needs a restic backup of the sandbox; Inspect downloads its pinned restic 0.18.1 from GitHub itself (no network here)',
  ],
]);

/** Content kinds of the schema's `Content` union that the real Inspect could not write here. */
const CONTENT_NOT_PRODUCED: ReadonlyMap<string, string> = new Map();

/** The fields that hold a media part's payload, by content kind. */
const MEDIA_PAYLOAD = { image: 'image', audio: 'audio', video: 'video', document: 'document' };

async function readSamples(path: string): Promise<Sample[]> {
  return withLog(fixture(path), async (reader) => {
    const samples: Sample[] = [];
    for (const ref of await reader.listSamples())
      samples.push(await reader.readSample(ref.id, ref.epoch));
    return samples;
  });
}

/** Every content part in a value: the items of each `content` list, wherever it sits. */
function contentParts(value: JsonValue | undefined, out: Array<Record<string, JsonValue>> = []) {
  if (Array.isArray(value)) for (const item of value as JsonValue[]) contentParts(item, out);
  else if (isJsonObject(value)) {
    for (const [key, item] of Object.entries(value)) {
      if (key === 'content' && Array.isArray(item)) {
        for (const part of item as JsonValue[]) if (isJsonObject(part)) out.push(part);
      }
      contentParts(item, out);
    }
  }
  return out;
}

function events(sample: Sample): Array<Record<string, JsonValue>> {
  return (sample.events as JsonValue[]).filter(isJsonObject);
}

/** Indexes of the events the tree shows as rows of their own (span ends are folded into spans). */
function treeEvents(nodes: ReadonlyArray<TranscriptNode>, out: number[] = []): number[] {
  for (const node of nodes) {
    if (node.kind === 'event') out.push(node.index);
    else {
      out.push(node.begin);
      if (node.end !== null) out.push(node.end);
      treeEvents(node.children, out);
    }
  }
  return out;
}

const sorted = (values: Iterable<string>): string[] => [...new Set(values)].sort();

describe.each(EVERY_KIND)('the every-kind log %s', (path) => {
  it('holds every event kind of the schema except the named ones Inspect cannot write here', async () => {
    const samples = await readSamples(path);
    const found = sorted(
      samples.flatMap((sample) => events(sample).map((event) => scalarText(event.event))),
    );
    const schema = inspectUnionKinds('Event');
    expect(schema).toHaveLength(23);
    for (const kind of EVENTS_NOT_PRODUCED.keys()) expect(schema).toContain(kind);
    expect(found).toEqual(sorted(schema.filter((kind) => !EVENTS_NOT_PRODUCED.has(kind))));
  });

  it('holds every content kind of the schema, media resolved to data URIs', async () => {
    const samples = await readSamples(path);
    const parts = samples.flatMap((sample) => contentParts(sample));
    const schema = inspectUnionKinds('Content');
    expect(schema).toHaveLength(8);
    expect(sorted(parts.map((part) => scalarText(part.type)))).toEqual(
      sorted(schema.filter((kind) => !CONTENT_NOT_PRODUCED.has(kind))),
    );
    for (const [kind, field] of Object.entries(MEDIA_PAYLOAD)) {
      const media = parts.filter((part) => part.type === kind);
      expect(media.length).toBeGreaterThan(0);
      for (const part of media)
        expect(scalarText(part[field])).toMatch(/^data:[a-z]+\/[a-z0-9]+;base64,/);
    }
  });

  it('gives samples that validate once brought to the schema, every event placed in the tree', async () => {
    const validate = inspectValidator('EvalSample');
    for (const sample of await readSamples(path)) {
      // Inspect omits None values on write where its schema lists them as required.
      const upgraded = upgradeSample(structuredClone(sample));
      expect(validate(upgraded), schemaErrors(validate).join('\n')).toBe(true);
      const placed = treeEvents(transcriptTree(events(sample))).sort((a, b) => a - b);
      expect(placed).toEqual(events(sample).map((_, index) => index));
    }
  });

  it('gives a summary of every event but those whose content is a whole sample or a diff', async () => {
    const unsummarised = new Set(['span_end', 'sample_init', 'state', 'store']);
    for (const sample of await readSamples(path)) {
      for (const event of events(sample)) {
        const summary = eventSummary(event);
        if (!unsummarised.has(scalarText(event.event)))
          expect(summary, scalarText(event.event)).not.toBe('');
        if (event.event === 'logger') expect(summary).toMatch(/^warning: sample=/);
      }
    }
  });

  it('keeps what each sample was made to show: a limit, an error and an edited score', async () => {
    const byId = new Map((await readSamples(path)).map((sample) => [sample.id, sample]));
    expect([...byId.keys()].sort()).toEqual(['all-kinds', 'error', 'working-limit']);
    expect(byId.get('working-limit')!.limit).toMatchObject({ type: 'working' });
    const error = byId.get('error')!.error;
    expect(scalarText(isJsonObject(error) ? error.message : null)).toContain('deliberate failure');
    const edit = events(byId.get('all-kinds')!).find((event) => event.event === 'score_edit');
    expect(edit).toMatchObject({ score_name: 'includes', edit: { value: 'C' } });
  });
});

describe('the every-kind .eval and its .json twin', () => {
  it('give the same samples through their readers', async () => {
    const [evalSamples, jsonSamples] = await Promise.all(EVERY_KIND.map(readSamples));
    expect(jsonSamples).toEqual(evalSamples);
  });
});
