// One recovery in a process of its own, printing time and its own peak RSS (VmHWM) as JSON.
import { performance } from 'node:perf_hooks';
import { recoverLog } from '../../electron/node/recovery/recoverLog.ts';
import { peakRss } from './peakRss.ts';

const started = performance.now();
const report = await recoverLog(process.argv[2]!, { overwrite: true });
const seconds = (performance.now() - started) / 1000;
console.log(
  JSON.stringify({
    seconds,
    peakRss: peakRss(),
    written: report.written,
    bytes: report.bytes,
  }),
);
