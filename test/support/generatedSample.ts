/**
 * A generated Inspect sample shaped like an agent run as Inspect condenses it (`log/_condense.py`):
 * turns of span_begin / model / tool / span_end events inside a root span, model inputs and
 * provider request messages as `input_refs` / `call_refs` into `events_data` pools, long texts as
 * `attachment://<hash>` strings, some attachments of several MB, bare NaN and ±Infinity, an
 * integer beyond 2^53, escapes and non-ASCII text. Written as a stream of JSON text, so a
 * 1.4 GiB sample costs the generator no more memory than a 14 MB one.
 *
 * Used by the paged reader's tests (tens of MB) and by `npm run bench:sample` (1.4 GiB).
 */

export interface SamplePlan {
  /** Agent turns: four events each (span_begin, model, tool, span_end). */
  readonly turns: number;
  /** Typical bytes of a tool's output and of an assistant reply (both attachments). */
  readonly toolOutputBytes: number;
  readonly replyBytes: number;
  /** Tool outputs this many bytes long (tens of MB in the benchmark), spread over the run. */
  readonly bigStrings: number;
  readonly bigStringBytes: number;
  /** Messages of conversation a model call sees (the last ones)… */
  readonly window: number;
  /** …except every `fullEvery`-th call, which sees the whole conversation. */
  readonly fullEvery: number;
  /**
   * Words of text to slice the texts from. A small pool is fast to make; a large one (the
   * benchmark's, ~8M words) compresses about as well as real transcripts (~3x), where a small
   * one repeats within zstd's window and decodes unrealistically fast.
   */
  readonly textPoolWords?: number;
}

/**
 * The tests' agent run of `turns` turns: 8 KB tool outputs, 2 KB replies, `bigStrings` tool
 * outputs of 2 MB, calls that see the last 40 messages and every 300th the whole conversation.
 */
export function agentSamplePlan(turns: number, bigStrings: number): SamplePlan {
  return {
    turns,
    toolOutputBytes: 8000,
    replyBytes: 2000,
    bigStrings,
    bigStringBytes: 2_000_000,
    window: 40,
    fullEvery: 300,
  };
}

const WORDS = (
  'the model answered question because tool output result error retry agent user assistant ' +
  'system score sample epoch token context window reasoning step plan file code test pass fail ' +
  'value metric naïve café 😀 "quoted" back\\slash tab\there new\nline { } [ ] , : résumé 数据'
).split(' ');

/** Deterministic PRNG (mulberry32) so every run generates the same bytes. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The sample's JSON text, piece by piece (each piece a few KB, or one big attachment). */
export function* samplePieces(plan: SamplePlan): Generator<string> {
  const random = seeded(11);
  // A text pool sliced at random offsets: compresses about as well as transcripts (~3x).
  const poolText = Array.from({ length: plan.textPoolWords ?? 40_000 }, () => {
    const word = WORDS[Math.floor(random() * WORDS.length)]!;
    return random() < 0.15 ? `${word}${Math.floor(random() * 1e6)}` : word;
  }).join(' ');
  const text = (length: number): string => {
    const parts: string[] = [];
    let size = 0;
    while (size < length) {
      const take = Math.min(length - size, 4096);
      const start = Math.floor(random() * (poolText.length - take));
      parts.push(poolText.slice(start, start + take));
      size += take;
    }
    return parts.join('');
  };
  const json = JSON.stringify;
  const hash = (name: string, n: number): string =>
    `${name}${n.toString(16)}`.padStart(32, '0').slice(-32);
  const ref = (key: string): string => `attachment://${key}`;
  const time = (seconds: number): string =>
    new Date(Date.UTC(2026, 5, 10, 18, 0, 0) + seconds * 1000).toISOString().replace('Z', '+00:00');
  const bigEvery = plan.bigStrings > 0 ? Math.max(1, Math.floor(plan.turns / plan.bigStrings)) : 0;
  const toolKey = (turn: number): string => hash('b', turn);
  const replyKey = (turn: number): string => hash('a', turn);
  const isBig = (turn: number): boolean =>
    bigEvery > 0 && turn % bigEvery === bigEvery - 1 && turn / bigEvery < plan.bigStrings;

  // Conversation pool: system, user, then per turn the assistant's reply and the tool's result.
  const poolMessage = (position: number): string => {
    if (position === 0)
      return json({ id: 'msg-system', content: ref(hash('s', 0)), role: 'system' });
    if (position === 1)
      return json({
        id: 'msg-user',
        content: 'Fix the failing test in café.py ✓',
        source: 'input',
        role: 'user',
      });
    const turn = Math.floor((position - 2) / 2);
    if (position % 2 === 0) {
      return json({
        id: `msg-a${turn}`,
        content: [{ type: 'text', text: ref(replyKey(turn)) }],
        source: 'generate',
        role: 'assistant',
        tool_calls: [
          { id: `call_${turn}`, function: 'bash', arguments: { cmd: `ls -la /tmp/${turn}` } },
        ],
        model: 'gpt-5',
      });
    }
    return json({
      id: `msg-t${turn}`,
      content: ref(toolKey(turn)),
      role: 'tool',
      tool_call_id: `call_${turn}`,
      function: 'bash',
    });
  };
  const callMessage = (position: number): string =>
    json({
      role: position === 0 ? 'system' : position % 2 ? 'user' : 'assistant',
      content:
        position < 2
          ? ref(hash('s', 0))
          : ref(position % 2 === 0 ? replyKey((position - 2) / 2) : toolKey((position - 3) / 2)),
    });
  const poolSize = 2 + 2 * plan.turns;

  yield '{"id": "generated", "epoch": 1, "input": "Fix the failing test in café.py ✓", "target": "pass", "messages": [';
  for (let position = 0; position < poolSize; position++)
    yield `${position ? ',' : ''}${poolMessage(position)}`;
  yield `], "output": ${json({ model: 'gpt-5', choices: [{ message: { role: 'assistant', content: 'Done: the test passes.', source: 'generate' }, stop_reason: 'stop' }], completion: 'Done: the test passes.', usage: { input_tokens: 1234, output_tokens: 56, total_tokens: 1290 } })}`;
  yield ', "scores": {"match": {"value": "C", "answer": "pass", "explanation": "matched", "metadata": {"confidence": NaN}}, "f1": {"value": Infinity}}';
  yield ', "metadata": {"big_id": 123456789012345678901, "floor": -Infinity, "ratio": 0.5, "note": "naïve \\"quoted\\" 😀"}, "store": {}, "events": [';
  const root = 'span-root';
  let clock = 0;
  const common = (span: string): Record<string, unknown> => ({
    uuid: `ev-${clock}`,
    span_id: span,
    timestamp: time(clock),
    working_start: clock + 0.25,
  });
  yield json({
    ...common(root),
    event: 'sample_init',
    sample: { input: 'Fix the failing test', target: 'pass', id: 'generated' },
    state: { messages: [], store: {} },
  });
  yield `,${json({ ...common(root), event: 'span_begin', id: root, type: 'solvers', name: 'solvers' })}`;
  for (let turn = 0; turn < plan.turns; turn++) {
    clock += 1;
    const span = `span-${turn}`;
    const seen = 2 + 2 * turn;
    const from = turn % plan.fullEvery === plan.fullEvery - 1 ? 0 : Math.max(0, seen - plan.window);
    yield `,${json({ ...common(root), event: 'span_begin', id: span, parent_id: root, type: 'agent', name: `turn ${turn}` })}`;
    const model = {
      ...common(span),
      event: 'model',
      model: 'openai/gpt-5',
      role: 'assistant',
      input: [],
      tools: [
        {
          name: 'bash',
          description: ref(hash('d', 0)),
          parameters: {
            type: 'object',
            properties: { cmd: { type: 'string' } },
            required: ['cmd'],
          },
        },
      ],
      tool_choice: 'auto',
      config: { temperature: 0.5 },
      output: {
        model: 'gpt-5',
        choices: [
          {
            message: {
              id: `msg-a${turn}`,
              content: [{ type: 'text', text: ref(replyKey(turn)) }],
              source: 'generate',
              role: 'assistant',
              tool_calls: [
                { id: `call_${turn}`, function: 'bash', arguments: { cmd: `ls -la /tmp/${turn}` } },
              ],
            },
            stop_reason: 'tool_calls',
          },
        ],
        usage: { input_tokens: 1000 + turn, output_tokens: 50, total_tokens: 1050 + turn },
        time: 1.25,
      },
      call: {
        request: { model: 'gpt-5', temperature: 0.5 },
        response: { id: `resp_${turn}` },
        time: 1.2,
        call_refs: [[from, seen]],
        call_key: 'messages',
      },
      completed: time(clock + 0.5),
      working_time: 1.2,
    };
    // `input_refs` after `input` and after the output, as pydantic writes it.
    yield `,${json(model).slice(0, -1)},"input_refs":[[${from},${seen}]]}`;
    const tool: Record<string, unknown> = {
      ...common(span),
      event: 'tool',
      type: 'function',
      id: `call_${turn}`,
      function: 'bash',
      arguments: { cmd: `ls -la /tmp/${turn}` },
      result: ref(toolKey(turn)),
      events: [],
      completed: time(clock + 0.75),
      working_time: 0.5,
    };
    if (turn % 17 === 16)
      tool.error = { type: 'timeout', message: 'Command timed out after 180 seconds' };
    yield `,${json(tool)}`;
    yield `,${json({ ...common(span), event: 'span_end', id: span })}`;
  }
  clock += 1;
  yield `,${json({ ...common(root), event: 'score', score: { value: 'C', answer: 'pass' }, intermediate: false })}`;
  yield `,${json({ ...common(root), event: 'span_end', id: root })}`;
  yield `], "model_usage": {"openai/gpt-5": {"input_tokens": 1234, "output_tokens": 56, "total_tokens": 1290}}, "total_time": ${clock + 1.5}, "working_time": ${clock}, "uuid": "generated-uuid", "attachments": {`;
  yield `${json(hash('s', 0))}: ${json(`You are a careful agent. ${text(2000)}`)}, ${json(hash('d', 0))}: ${json(`Run a bash command. ${text(300)}`)}`;
  for (let turn = 0; turn < plan.turns; turn++) {
    yield `, ${json(replyKey(turn))}: ${json(text(Math.floor(plan.replyBytes * (0.5 + random()))))}`;
    yield `, ${json(toolKey(turn))}: `;
    if (isBig(turn)) {
      // Streamed in pieces: the generator never holds a big string whole.
      yield '"';
      for (let size = 0; size < plan.bigStringBytes; size += 1 << 20) {
        yield json(text(Math.min(1 << 20, plan.bigStringBytes - size))).slice(1, -1);
      }
      yield '"';
    } else {
      yield json(text(Math.floor(plan.toolOutputBytes * (0.5 + random()))));
    }
  }
  yield '}, "events_data": {"messages": [';
  for (let position = 0; position < poolSize; position++)
    yield `${position ? ',' : ''}${poolMessage(position)}`;
  yield '], "calls": [';
  for (let position = 0; position < poolSize; position++)
    yield `${position ? ',' : ''}${callMessage(position)}`;
  yield ']}}';
}

/** The pieces as UTF-8 chunks of about `chunkBytes`, for a zip writer. */
export async function* sampleChunks(
  plan: SamplePlan,
  chunkBytes = 1 << 20,
): AsyncGenerator<Uint8Array> {
  const encoder = new TextEncoder();
  let pending: string[] = [];
  let size = 0;
  for (const piece of samplePieces(plan)) {
    pending.push(piece);
    size += piece.length;
    if (size >= chunkBytes) {
      yield await Promise.resolve(encoder.encode(pending.join('')));
      pending = [];
      size = 0;
    }
  }
  if (pending.length > 0) yield encoder.encode(pending.join(''));
}
