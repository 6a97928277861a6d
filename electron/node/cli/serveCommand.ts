import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SalvageError } from '../../../shared/util/errors.ts';
import { createLogService } from '../services/logService.ts';
import { EventHub } from '../services/eventHub.ts';
import { watchOpenedFolders } from '../services/folderWatcher.ts';
import { OpenedFolders } from '../services/openedFolders.ts';
import { RunDigest, salvageDataDir } from '../index/runDigest.ts';
import { ReaderPool } from '../logs/readerPool.ts';
import { startWebServer } from '../server/webServer.ts';
import { SearchService } from '../search/searchService.ts';
import { serveToken } from '../server/serveToken.ts';
import type { Output } from './output.ts';
import { isS3Url, normalS3Url, parseS3Url } from '../s3/s3Url.ts';
import { parseCommandArgs, UsageError } from './usage.ts';

const PROJECT = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * `salvage serve [DIR] [--port N] [--host H] [--new-token]`: web mode, until interrupted. The
 * access token is kept across restarts (a bookmarked link keeps working); `--new-token` makes a
 * new one, and the old links stop working.
 */
export async function serveCommand(args: ReadonlyArray<string>, output: Output): Promise<number> {
  const parsed = parseCommandArgs(args, {
    port: { type: 'string', default: '0' },
    host: { type: 'string', default: '127.0.0.1' },
    'new-token': { type: 'boolean', default: false },
  });
  if (parsed.positionals.length > 1) throw new UsageError('serve takes at most one folder.');
  const port = Number(parsed.values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`--port must be a port number, got ${parsed.values.port}.`);
  const named = parsed.positionals[0] ?? resolve(PROJECT, 'demo/logs');
  // A bucket folder is checked by listing it (credentials, bucket), a local one by its existence.
  const folder = isS3Url(named) ? normalS3Url(named) : resolve(named);
  if (isS3Url(folder)) {
    // Loaded for a bucket only: the S3 modules bring the AWS SDK (see openLogSource).
    const { checkFolder } = await import('../s3/bucketListing.ts');
    await checkFolder(parseS3Url(folder));
  } else if (!existsSync(folder)) throw new SalvageError('not-found', `${folder} does not exist.`);
  const rendererDir = resolve(PROJECT, 'out/renderer');
  if (!existsSync(resolve(rendererDir, 'index.html'))) {
    throw new SalvageError(
      'not-found',
      'The renderer is not built yet: run `npm run build` first.',
    );
  }
  const events = new EventHub();
  const digest = RunDigest.open();
  const pool = new ReaderPool();
  const folders = await OpenedFolders.load(join(salvageDataDir(), 'folders.json'), [folder]);
  const search = new SearchService({ folders, events });
  search.start();
  const server = await startWebServer({
    handlers: createLogService({ folders, events, digest, search, pool }),
    events,
    rendererDir,
    host: parsed.values.host,
    port,
    token: serveToken(salvageDataDir(), parsed.values['new-token']),
  });
  const stopWatching = watchOpenedFolders(folders, events);
  output.out(`Salvage is serving ${folders.list().join(', ')}\nOpen ${server.url}`);
  await new Promise<void>((done) => {
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
  stopWatching();
  await server.close();
  await search.close();
  digest.close();
  await pool.close();
  return 0;
}
