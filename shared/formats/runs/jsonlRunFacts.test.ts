import { describe, expect, it } from 'vitest';
import { emptyTally, foldRecord, jsonlRunFacts } from './jsonlRunFacts.ts';

describe('jsonlRunFacts', () => {
  it('leaves a verifiers run whose rollout starts past any date without a creation time', () => {
    const tally = emptyTally();
    foldRecord('verifiers', tally, { example_id: 0, reward: 1, timing: { start_time: 1e300 } });
    const context = {
      kind: 'verifiers' as const,
      metadata: null,
      config: null,
      folder: 'run',
      parentFolder: 'env',
    };
    expect(jsonlRunFacts(tally, context, 'healthy').created).toBeNull();
  });
});
