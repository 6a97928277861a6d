import { describe, expect, it } from 'vitest';
import { formatDuration, formatTokens } from './format.ts';

describe('display formats', () => {
  it('tokens', () => {
    expect([null, 640, 1000, 128_456, 4_560_000].map(formatTokens)).toEqual([
      '-',
      '640',
      '1.0k',
      '128.5k',
      '4.56M',
    ]);
  });

  it('durations', () => {
    expect([null, 9.08, 59.6, 158, 3599, 11_100].map(formatDuration)).toEqual([
      '-',
      '9s',
      '1m 00s',
      '2m 38s',
      '59m 59s',
      '3h 05m',
    ]);
  });
});
