import { describe, expect, it } from 'vitest';
import { parseInspectJson, type JsonObject } from '../formats/json/inspectJson.ts';
import { reconstructSample } from './reconstructSample.ts';

describe('reconstructSample', () => {
  it('keeps every scorer of the summary, one named __proto__ too, each with a history', () => {
    const summary = parseInspectJson(
      '{"id": 1, "epoch": 1, "scores": {"__proto__": {"value": "C"}, "match": {"value": 1, "history": [1]}}}',
      'summary',
    ) as JsonObject;
    const { sample } = reconstructSample(
      { summary, metadata: null },
      { events: [], attachments: {}, messagePool: [], callPool: [] },
      { inProgress: false, includeEvents: false, newUuid: () => 'uuid' },
    );
    expect(Object.entries(sample.scores as JsonObject)).toEqual([
      ['__proto__', { value: 'C', history: [] }],
      ['match', { value: 1, history: [1] }],
    ]);
  });
});
