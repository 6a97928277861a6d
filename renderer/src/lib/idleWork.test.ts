import { describe, expect, it } from 'vitest';
import { whenIdle } from './idleWork.ts';

const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('whenIdle', () => {
  it('runs a step slice after slice until it says its work is done', async () => {
    const slices: boolean[] = [];
    let done!: () => void;
    const finished = new Promise<void>((resolve) => (done = resolve));
    whenIdle((timeUp) => {
      slices.push(timeUp());
      if (slices.length < 3) return false;
      done();
      return true;
    });
    expect(slices).toEqual([]); // never in the caller's own turn
    await finished;
    await settle(30);
    expect(slices).toHaveLength(3);
  });

  it('gives each slice a limited time', async () => {
    let spun = 0;
    await new Promise<void>((resolve) =>
      whenIdle((timeUp) => {
        const start = performance.now();
        while (!timeUp()) if (performance.now() - start > 1000) break;
        spun = performance.now() - start;
        resolve();
        return true;
      }),
    );
    expect(spun).toBeLessThan(100);
  });

  it('runs nothing more once cancelled', async () => {
    let steps = 0;
    const cancel = whenIdle(() => {
      steps++;
      return false;
    });
    cancel();
    await settle(50);
    expect(steps).toBe(0);
    const later = whenIdle(() => {
      steps++;
      return false;
    });
    await settle(50);
    later();
    const seen = steps;
    await settle(50);
    expect(seen).toBeGreaterThan(0);
    expect(steps).toBe(seen);
  });
});
