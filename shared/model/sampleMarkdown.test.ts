import { describe, expect, it } from 'vitest';
import { messageMarkdown, sampleMarkdown, sampleTranscriptMarkdown } from './sampleMarkdown.ts';
import type { JsonObject } from '../formats/json/inspectJson.ts';
import type { Sample } from './log.ts';

const SAMPLE = {
  id: 'q1',
  epoch: 2,
  scores: { match: { value: 'C', explanation: 'right' } },
  messages: [
    { role: 'user', content: 'What is 2 + 2?' },
    {
      role: 'assistant',
      content: [{ type: 'text', text: 'Let me check.' }],
      tool_calls: [{ id: 'c1', function: 'python', arguments: { code: 'print(2 + 2)' } }],
    },
  ],
  events: [
    { event: 'span_begin', id: 's1', name: 'solver', type: 'solver' },
    { event: 'model', span_id: 's1', model: 'openai/gpt-5', output: { choices: [] } },
    { event: 'span_end', id: 's1' },
  ],
} as unknown as Sample;

describe('sample Markdown', () => {
  it('writes a message as its role, its text and its tool calls', () => {
    const text = messageMarkdown((SAMPLE.messages as JsonObject[])[1]!);
    expect(text).toMatch(/^### assistant\n\nLet me check\.\n/);
    expect(text).toContain('- tool call: `python(');
  });

  it('writes the sample whole, and the transcript alone under its title', () => {
    const whole = sampleMarkdown(SAMPLE);
    expect(whole).toMatch(/^# Sample q1, epoch 2\n\n## Scores\n\n- \*\*match\*\*: C — right\n/);
    expect(whole).toContain('## Messages\n\n### user\n\nWhat is 2 + 2?');
    expect(whole).toContain('## Transcript');
    const transcript = sampleTranscriptMarkdown(SAMPLE);
    expect(transcript).toMatch(/^# Sample q1, epoch 2 — transcript\n\n- \*\*span_begin\*\*/);
    // The model call sits inside the span: indented one level.
    expect(transcript).toMatch(/\n {2}- \*\*model\*\*/);
    expect(transcript).not.toContain('What is 2 + 2?');
    expect(sampleTranscriptMarkdown({ ...SAMPLE, events: [] })).toContain('_No transcript._');
  });
});
