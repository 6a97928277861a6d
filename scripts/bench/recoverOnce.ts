// One recovery in a process of its own, printing time and its own peak RSS (VmHWM) as JSON.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { recoverLog } from '../../electron/node/recovery/recoverLog.ts';

const started = performance.now();
const report = await recoverLog(process.argv[2]!, { overwrite: true });
const seconds = (performance.now() - started) / 1000;
const peak = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
console.log(
  JSON.stringify({
    seconds,
    peakRss: Number(peak?.[1] ?? 0) * 1024,
    written: report.written,
    bytes: report.bytes,
  }),
);
