import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../formats/json/inspectJson.ts';
import { contentText, eventDepths, eventSummary } from './transcript.ts';

describe('transcript', () => {
  it('nests events by their spans, and by begin / end steps in older logs', () => {
    const spans: JsonObject[] = [
      { event: 'span_begin', id: 'a', name: 'solvers' },
      { event: 'span_begin', id: 'b', parent_id: 'a', name: 'generate' },
      { event: 'model', span_id: 'b' },
      { event: 'span_end', id: 'b', span_id: 'b' },
      { event: 'score', span_id: 'a' },
      { event: 'span_end', id: 'a', span_id: 'a' },
      { event: 'info' },
    ];
    expect(eventDepths(spans)).toEqual([0, 1, 2, 1, 1, 0, 0]);
    const steps: JsonObject[] = [
      { event: 'step', action: 'begin', name: 'solver' },
      { event: 'model' },
      { event: 'step', action: 'end', name: 'solver' },
      { event: 'score' },
    ];
    expect(eventDepths(steps)).toEqual([0, 1, 0, 0]);
  });

  it('says what a model call and a tool call did', () => {
    expect(
      eventSummary({
        event: 'model',
        model: 'openai/gpt-4o',
        input: [{ role: 'user', content: 'hi' }],
        output: {
          choices: [
            {
              message: {
                role: 'assistant',
                content: [{ type: 'text', text: 'Let me look.' }],
                tool_calls: [{ function: 'bash', arguments: { cmd: 'ls' } }],
              },
            },
          ],
        },
      }),
    ).toBe('openai/gpt-4o ← 1 message\n→ Let me look.\nbash({"cmd":"ls"})');
    expect(
      eventSummary({
        event: 'tool',
        function: 'bash',
        arguments: { cmd: 'ls' },
        result: 'a.txt',
        error: { message: 'timeout' },
      }),
    ).toBe('bash({"cmd":"ls"}) → a.txt [error: timeout]');
    expect(
      contentText([
        { type: 'image', image: 'data:' },
        { type: 'text', text: 'x' },
      ]),
    ).toBe('[image]\nx');
  });
});
