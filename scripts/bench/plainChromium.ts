// Chromium driven without DevTools' network instrumentation, for memory figures of a page.
//
// Playwright enables the DevTools Network domain on every page it drives, and Chromium then keeps
// a copy of every response body in the renderer (up to its inspector buffer, 100s of MB) for the
// DevTools that might ask for it. A page that pages through a large sample would look hundreds of
// MB heavier than it is in a user's browser. Here Chromium is launched directly and driven over
// its DevTools WebSocket with the Runtime domain alone: scripts run in the page, nothing else.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { peakRss } from './peakRss.ts';

export interface PlainPage {
  /**
   * The largest peak RSS (VmHWM) among the browser's renderer processes: the page's, since the
   * others (Chromium's own UI and a spare) stay near their start.
   */
  rendererPeakRss(): number;
  /**
   * The largest memory footprint a renderer had, sampled every 50 ms, as Chromium measures it on
   * Linux (its PrivateMemoryFootprint, what its task manager shows: RssAnon + VmSwap), without
   * the pages of Chromium's own binary and data files that every process maps (about 120 MB).
   */
  rendererPeakFootprint(): number;
  /**
   * The same with the shared memory the renderer has resident added (RssShmem: mostly raster
   * tiles it shares with the compositor): a stricter figure than Chromium's.
   */
  rendererPeakPrivate(): number;
  /** Evaluate an expression in the page (awaited when it is a promise); its JSON value. */
  evaluate<T>(expression: string): Promise<T>;
  /** Until `expression` is true, polled from outside: it survives the page's navigations. */
  waitFor(expression: string): Promise<void>;
  close(): Promise<void>;
}

/** Chromium on `url` (headless, 1280 × 800), attached over CDP without the Network domain. */
export async function openPlainPage(url: string, executable: string): Promise<PlainPage> {
  const profile = mkdtempSync(join(tmpdir(), 'salvage-bench-chromium-'));
  const browser: ChildProcess = spawn(
    executable,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--enable-precise-memory-info',
      '--window-size=1280,800',
      '--remote-debugging-port=0',
      `--user-data-dir=${profile}`,
      url,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const endpoint = await new Promise<string>((resolve, reject) => {
    let output = '';
    browser.stderr!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /DevTools listening on (ws:\/\/\S+)/.exec(output);
      if (match) resolve(match[1]!);
    });
    browser.once('exit', (code) => reject(new Error(`chromium exited with ${code}: ${output}`)));
  });
  const socket = new WebSocket(endpoint);
  await new Promise((resolve, reject) => {
    socket.addEventListener('open', resolve, { once: true });
    socket.addEventListener('error', reject, { once: true });
  });
  let nextId = 1;
  const waiting = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  socket.addEventListener('message', (event: { data: unknown }) => {
    const message = JSON.parse(String(event.data)) as {
      id?: number;
      result?: unknown;
      error?: { message: string };
    };
    const call = message.id === undefined ? undefined : waiting.get(message.id);
    if (!call) return;
    waiting.delete(message.id!);
    if (message.error) call.reject(new Error(message.error.message));
    else call.resolve(message.result);
  });
  const send = <T>(method: string, params: object = {}, sessionId?: string): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const id = nextId++;
      waiting.set(id, { resolve: (value) => resolve(value as T), reject });
      socket.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
    });

  const { targetInfos } = await send<{
    targetInfos: Array<{ targetId: string; type: string; url: string }>;
  }>('Target.getTargets');
  const target = targetInfos.find((info) => info.type === 'page');
  if (!target) throw new Error('chromium opened no page');
  const { sessionId } = await send<{ sessionId: string }>('Target.attachToTarget', {
    targetId: target.targetId,
    flatten: true,
  });

  const evaluate = async <T>(expression: string): Promise<T> => {
    const answer = await send<{
      result: { value?: T };
      exceptionDetails?: { exception?: { description?: string }; text: string };
    }>(
      'Runtime.evaluate',
      { expression, awaitPromise: true, returnByValue: true, userGesture: true },
      sessionId,
    );
    if (answer.exceptionDetails)
      throw new Error(
        answer.exceptionDetails.exception?.description ?? answer.exceptionDetails.text,
      );
    return answer.result.value as T;
  };

  let footprintPeak = 0;
  let privatePeak = 0;
  let renderers: number[] = [];
  let ticks = 0;
  const sampler = setInterval(() => {
    // Walking /proc costs more than reading a status: renderers are looked for once a second.
    if (ticks++ % 20 === 0) renderers = rendererPids(browser.pid!);
    for (const pid of renderers) {
      const memory = residentMemory(pid);
      footprintPeak = Math.max(footprintPeak, memory.anon + memory.swap);
      privatePeak = Math.max(privatePeak, memory.anon + memory.swap + memory.shmem);
    }
  }, 50);

  return {
    evaluate,
    waitFor: async (expression) => {
      for (const started = performance.now(); performance.now() - started < 600_000;) {
        // A navigation destroys the context an evaluation runs in: asked again in the next.
        if (await evaluate<boolean>(expression).catch(() => false)) return;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error(`timed out waiting for ${expression}`);
    },
    rendererPeakRss: () => Math.max(0, ...rendererPids(browser.pid!).map((pid) => peakRss(pid))),
    rendererPeakFootprint: () => footprintPeak,
    rendererPeakPrivate: () => privatePeak,
    close: async () => {
      clearInterval(sampler);
      socket.close();
      browser.kill('SIGTERM');
      await new Promise((done) => browser.once('exit', done));
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** The renderer processes descending from `ancestor` (Linux). */
function rendererPids(ancestor: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // Gone meanwhile.
    }
  }
  const descends = (pid: number): boolean => {
    for (let at: number | undefined = pid; at !== undefined && at > 1; at = parents.get(at))
      if (at === ancestor) return true;
    return false;
  };
  return [...parents.keys()].filter((pid) => {
    try {
      return (
        descends(pid) && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('--type=renderer')
      );
    } catch {
      return false; // Gone meanwhile.
    }
  });
}

/** A process's anonymous, swapped and shared resident memory in bytes (0 once it is gone). */
function residentMemory(pid: number): { anon: number; swap: number; shmem: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const bytes = (field: string): number =>
      Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0) * 1024;
    return { anon: bytes('RssAnon'), swap: bytes('VmSwap'), shmem: bytes('RssShmem') };
  } catch {
    return { anon: 0, swap: 0, shmem: 0 }; // Gone meanwhile.
  }
}
