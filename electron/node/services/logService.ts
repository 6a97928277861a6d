import { exportBase, sampleMarkdownBase } from '../../../shared/model/outputNames.ts';
import type { InvokeMap } from '../../../shared/ipc/contract.ts';
import type { Codecs } from '../../../shared/formats/zip/codecs.ts';
import { listRuns } from '../logs/listRuns.ts';
import { withLog } from '../logs/openLog.ts';
import { resolveInside } from '../io/pathGuard.ts';
import { planRecovery, recoverLog } from '../recovery/recoverLog.ts';
import { checkJsonl, repairJsonl, undoRepair } from '../repair/repairJsonl.ts';
import { basename, dirname } from 'node:path';
import { EventHub } from './eventHub.ts';
import { exportRun, exportSampleMarkdown } from '../export/exportRun.ts';
import { sampleMarkdown, sampleTranscriptMarkdown } from '../../../shared/model/sampleMarkdown.ts';
import { compareRuns } from '../resume/compareRuns.ts';
import { outputExists } from '../io/writeOutput.ts';
import { isS3Url } from '../s3/s3Url.ts';
import { SampleStreamer } from './sampleStreamer.ts';
import { RunsStreamer } from './runsStreamer.ts';
import type { ReaderPool } from '../logs/readerPool.ts';
import type { OpenedFolders } from './openedFolders.ts';
import type { RunDigest } from '../index/runDigest.ts';
import { SalvageError } from '../../../shared/util/errors.ts';
import { SampleHandles } from '../sample/sampleHandles.ts';
import { SearchService } from '../search/searchService.ts';

export interface LogServiceOptions {
  /** Where streamed events go (the transports subscribe to it). */
  readonly events?: EventHub;
  /** The folders the user opened; paths outside them are refused. */
  readonly folders: OpenedFolders;
  /**
   * The desktop's native folder dialog (`null`: cancelled). Where it is given, a folder is added
   * only through it, whatever path the renderer sends; web mode has none and takes the typed path.
   */
  readonly chooseFolder?: () => Promise<string | null>;
  /**
   * The desktop's confirmation before an `s3://` folder typed in the window is opened with the
   * user's AWS credentials (the folder dialog cannot pick one); `false`: refused.
   */
  readonly confirmRemoteFolder?: (url: string) => Promise<boolean>;
  /** The desktop's native save dialog, given a suggested path (`null`: cancelled). */
  readonly chooseSavePath?: (suggested: string) => Promise<string | null>;
  readonly codecs?: Codecs;
  /** Sealed digests of finished runs: a re-listing costs one stat per unchanged run. */
  readonly digest?: RunDigest;
  /** Worker threads that read the logs a listing's digest cannot answer. */
  readonly pool?: ReaderPool;
  /** Open samples read a page at a time (made here when not given). */
  readonly samples?: SampleHandles;
  /** The module of the thread that decodes a large sample (the bundled build's; else its source). */
  readonly decodeWorkerUrl?: URL;
  /** The search index's service (made, and started, on the first search when not given). */
  readonly search?: SearchService;
}

/** How often a long operation reports its progress, at most. */
const PROGRESS_INTERVAL_MS = 100;

/** The handlers of the log channels, shared by the IPC and HTTP transports. */
export function createLogService(options: LogServiceOptions): InvokeMap {
  const folders = options.folders;
  const inside = (path: string): Promise<string> => resolveInside(path, folders.list());
  const events = options.events ?? new EventHub();
  const streamer = new SampleStreamer(events, options.codecs);
  const listing = { codecs: options.codecs, digest: options.digest, pool: options.pool };
  const runsStreamer = new RunsStreamer(events, listing);
  const samples =
    options.samples ??
    new SampleHandles({ codecs: options.codecs, decodeWorkerUrl: options.decodeWorkerUrl });
  let search = options.search ?? null;
  const searcher = (): SearchService => {
    if (!search) {
      search = new SearchService({ folders, events });
      search.start();
    }
    return search;
  };
  return {
    'salvage:folders:list': () => Promise.resolve(folders.list()),
    'salvage:folders:add': async ({ path }) => {
      if (options.chooseFolder) {
        // A bucket folder cannot come from the folder dialog: the user confirms the typed URL.
        if (typeof path === 'string' && isS3Url(path.trim()) && options.confirmRemoteFolder) {
          const url = path.trim();
          return (await options.confirmRemoteFolder(url)) ? folders.add(url) : folders.list();
        }
        const chosen = await options.chooseFolder();
        return chosen === null ? folders.list() : folders.add(chosen);
      }
      if (typeof path !== 'string' || path.trim() === '') {
        throw new SalvageError(
          'invalid-arguments',
          'Type the path of a folder on this machine, or an s3://bucket/prefix, to open it.',
        );
      }
      return folders.add(path.trim());
    },
    'salvage:folders:remove': ({ folder }) => folders.remove(folder),
    'salvage:runs:list': async ({ folder }) => listRuns(await inside(folder), listing),
    'salvage:runs:stream': async ({ folder }) => runsStreamer.stream(await inside(folder)),
    'salvage:runs:cancel': ({ streamId }) => Promise.resolve(runsStreamer.cancel(streamId)),
    'salvage:recovery:plan': async ({ path }) =>
      planRecovery(await inside(path), { codecs: options.codecs }),
    'salvage:recovery:run': async ({ path, overwrite }) => {
      const log = await inside(path);
      // The output lands beside the log, inside the opened folder; plan first to check it.
      const plan = await planRecovery(log, { codecs: options.codecs });
      await resolveInside(dirname(plan.output), folders.list());
      let last = 0;
      return recoverLog(log, {
        codecs: options.codecs,
        overwrite,
        onProgress: (done, total) => {
          // At most a few updates a second: a recovery can rebuild thousands of samples.
          const now = Date.now();
          if (done < total && now - last < PROGRESS_INTERVAL_MS) return;
          last = now;
          events.emit('salvage:recovery:progress', { path, done, total });
        },
      });
    },
    'salvage:repair:check': async ({ path }) => checkJsonl(await inside(path)),
    'salvage:repair:run': async ({ path }) => repairJsonl(await inside(path)),
    'salvage:repair:undo': async ({ sidecar }) => undoRepair(await inside(sidecar)),
    'salvage:compare:runs': async ({ a, b }) => compareRuns(await inside(a), await inside(b)),
    'salvage:export:run': async ({ path, format }) => {
      const log = await inside(path);
      const report = await exportRun(log, format, await exportPath(log, format));
      return { output: report.output, samples: report.samples };
    },
    'salvage:export:sample': async ({ path, id, epoch }) => {
      const log = await inside(path);
      // A sample of a run in a bucket is saved on this machine where the user says (desktop).
      const suggested =
        isS3Url(log) && options.chooseSavePath
          ? basename(`${sampleMarkdownBase(log, id, epoch)}.md`)
          : await freePath(sampleMarkdownBase(log, id, epoch), 'md');
      // On the desktop the user says where; the file they pick is theirs to replace.
      const output = options.chooseSavePath ? await options.chooseSavePath(suggested) : suggested;
      if (output === null) return { output: null };
      const report = await exportSampleMarkdown(log, id, epoch, output, output !== suggested);
      return { output: report.output };
    },
    'salvage:sample:markdown': async ({ path, id, epoch, part }) => {
      const log = await inside(path);
      const sample = await withLog(log, (reader) => reader.readSample(id, epoch), options.codecs);
      const transcript = part === 'transcript';
      return {
        name: basename(
          `${sampleMarkdownBase(log, id, epoch)}${transcript ? '.transcript' : ''}.md`,
        ),
        markdown: transcript ? sampleTranscriptMarkdown(sample) : sampleMarkdown(sample),
      };
    },
    'salvage:log:header': async ({ path }) =>
      withLog(await inside(path), (reader) => reader.readHeader(), options.codecs),
    'salvage:samples:stream': async ({ path }) => streamer.stream(await inside(path)),
    'salvage:samples:cancel': ({ streamId }) => Promise.resolve(streamer.cancel(streamId)),
    'salvage:log:sample': async ({ path, id, epoch }) =>
      withLog(await inside(path), (reader) => reader.readSample(id, epoch), options.codecs),
    // A handle stands for a path already checked when it was opened.
    'salvage:sample:open': async ({ path, id, epoch }) =>
      samples.open(await inside(path), id, epoch),
    'salvage:sample:messages': ({ handle, start, count }) => samples.messages(handle, start, count),
    'salvage:sample:events': ({ handle, start, count }) => samples.events(handle, start, count),
    'salvage:sample:pooled': ({ handle, event, list, start, count }) =>
      samples.pooled(handle, event, list, start, count),
    'salvage:sample:outline': ({ handle, start, count }) => samples.outline(handle, start, count),
    'salvage:sample:rows': ({ handle, start, count }) => samples.rows(handle, start, count),
    'salvage:sample:field': ({ handle, key }) => samples.field(handle, key),
    'salvage:sample:string': ({ handle, ref, start, length }) =>
      samples.string(handle, ref, start, length),
    'salvage:sample:json': async ({ handle }) => ({ text: await samples.json(handle) }),
    'salvage:sample:close': ({ handle }) => samples.close(handle),
    'salvage:search:query': (request) => searcher().search(request),
    'salvage:search:samples': async ({ path, query }) =>
      searcher().matchingSamples(await inside(path), query),
    'salvage:search:status': () => Promise.resolve(searcher().progress),
  };
}

/**
 * `<log>.export.<ext>` beside the log (in its bucket for a log in S3), numbered when taken: an
 * export never overwrites.
 */
function exportPath(log: string, format: string): Promise<string> {
  return freePath(exportBase(log), format);
}

/** `<base>.<extension>`, or `<base>-2.<extension>` and so on when taken (see outputNames.ts). */
async function freePath(base: string, extension: string): Promise<string> {
  let path = `${base}.${extension}`;
  for (let copy = 2; await outputExists(path); copy++) path = `${base}-${copy}.${extension}`;
  return path;
}
