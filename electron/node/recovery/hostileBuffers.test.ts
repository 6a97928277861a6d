// Buffers are content from elsewhere (another machine, a shared bucket): recovery must read only
// inside the log's folder, keep every key as data, and answer every damaged part with a typed
// error or a warning (issue 15, findings 2, 3, 6 and 8).
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { EvalLogReader } from '../../../shared/formats/inspect-eval/evalLogReader.ts';
import { isJsonObject, type JsonObject } from '../../../shared/formats/json/inspectJson.ts';
import { isSalvageError } from '../../../shared/util/errors.ts';
import { writeCrashedRun } from '../../../test/support/crashedRun.ts';
import { nodeZlibCodecs } from '../codecs/nodeZlibCodecs.ts';
import { FileByteSource } from '../io/fileByteSource.ts';
import { recoverLog } from './recoverLog.ts';

const folders: string[] = [];
function tempFolder(): string {
  const folder = mkdtempSync(join(tmpdir(), 'salvage-hostile-'));
  folders.push(folder);
  return folder;
}
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

async function crashed(options: { segments?: number; database?: boolean } = {}) {
  const folder = tempFolder();
  const logs = join(folder, 'logs');
  const run = await writeCrashedRun({
    folder: logs,
    name: 'run',
    flushed: 1,
    completed: 2,
    inProgress: 1,
    segments: options.segments ?? 0,
    ...(options.database ? { databaseFolder: join(folder, 'buffers') } : {}),
  });
  return { folder, logs, ...run };
}

async function header(path: string): Promise<JsonObject> {
  const source = await FileByteSource.open(path);
  try {
    return await (await EvalLogReader.open(source, nodeZlibCodecs())).readHeader();
  } finally {
    await source.close();
  }
}

async function kindOf(run: Promise<unknown>): Promise<string> {
  try {
    await run;
    return 'none';
  } catch (error) {
    return isSalvageError(error) ? error.kind : `untyped: ${String(error)}`;
  }
}

/** A pid that belonged to a process which has exited. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '0']).pid;
}

describe('prototype keys are data', () => {
  it('a model named "__proto__" is summed into the stats like any other, and Object.prototype stays clean', async () => {
    const run = await crashed({ segments: 1 });
    const manifest = join(run.filestore!, 'manifest.json');
    writeFileSync(
      manifest,
      readFileSync(manifest, 'utf8')
        .replaceAll('"mockllm/model"', '"__proto__"')
        .replaceAll(
          '"model_usage": {',
          '"role_usage": {"__proto__": {"input_tokens": 5, "toString": 7}}, "model_usage": {',
        ),
    );
    const report = await recoverLog(run.log);
    const stats = (await header(report.output)).stats as JsonObject;
    const modelUsage = stats.model_usage as JsonObject;
    expect(Object.hasOwn(modelUsage, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(modelUsage)).toBe(Object.prototype);
    expect((modelUsage['__proto__'] as JsonObject).input_tokens).toBe(20);
    const role = (stats.role_usage as JsonObject)['__proto__'] as JsonObject;
    expect(Object.getOwnPropertyDescriptor(role, 'toString')?.value).toBe(14);
    const clean = {} as Record<string, unknown>;
    expect([clean.input_tokens, clean[0], typeof clean.toString]).toEqual([
      undefined,
      undefined,
      'function',
    ]);
  });
});

describe('a filestore reads only inside the folder of its log', () => {
  it('a .buffer/<log> that is a link to a folder elsewhere is refused, not followed', async () => {
    const run = await crashed({ segments: 1 });
    const elsewhere = join(tempFolder(), 'moved');
    rmSync(join(run.logs, '.buffer'), { recursive: true });
    mkdirSync(elsewhere);
    const source = await crashed({ segments: 1 });
    spawnSync('cp', ['-r', source.filestore!, join(elsewhere, 'run')]);
    mkdirSync(join(run.logs, '.buffer'));
    symlinkSync(join(elsewhere, 'run'), join(run.logs, '.buffer', 'run'));
    expect(await kindOf(recoverLog(run.log))).toBe('outside-opened-folders');
    expect(existsSync(join(run.logs, 'run-recovered.eval'))).toBe(false);
  });

  it("a manifest's metadata_hash never becomes a path out of the buffer", async () => {
    const run = await crashed({ segments: 1 });
    const secret = join(run.folder, 'outside.json');
    writeFileSync(secret, JSON.stringify({ secret: 'must not be read' }));
    const manifest = join(run.filestore!, 'manifest.json');
    writeFileSync(
      manifest,
      readFileSync(manifest, 'utf8').replaceAll(
        '"metadata_hash": "summary"',
        `"metadata_hash": "/../../../../../../../../..${run.folder}/outside"`,
      ),
    );
    const report = await recoverLog(run.log);
    const source = await FileByteSource.open(report.output);
    try {
      const reader = await EvalLogReader.open(source, nodeZlibCodecs());
      const samples = await reader.listSamples();
      expect(samples.length).toBe(4);
      for (const ref of samples) {
        const sample = await reader.readSample(ref.id, ref.epoch);
        expect(JSON.stringify(sample)).not.toContain('must not be read');
      }
    } finally {
      await source.close();
    }
  });

  it('a segment that links outside, or is a folder, is skipped with a warning', async () => {
    const run = await crashed({ segments: 2 });
    const outside = join(run.folder, 'elsewhere.zip');
    writeFileSync(outside, readFileSync(join(run.filestore!, 'segment.1.zip')));
    rmSync(join(run.filestore!, 'segment.1.zip'));
    symlinkSync(outside, join(run.filestore!, 'segment.1.zip'));
    rmSync(join(run.filestore!, 'segment.2.zip'));
    mkdirSync(join(run.filestore!, 'segment.2.zip'));
    const report = await recoverLog(run.log);
    expect(report.warnings.join('\n')).toMatch(/segment\.1\.zip leads outside/);
    expect(report.warnings.join('\n')).toMatch(/segment\.2\.zip is not a regular file/);
  });
});

describe('a damaged buffer database is a typed error, however it is damaged', () => {
  const damage: Array<[string, (db: DatabaseSync) => void]> = [
    ['a missing table', (db) => db.exec('DROP TABLE events')],
    ['a missing column', (db) => db.exec('ALTER TABLE attachments DROP COLUMN content')],
    ['a missing samples table', (db) => db.exec('DROP TABLE samples')],
    [
      'an integer beyond what JavaScript holds',
      (db) => db.exec("UPDATE events SET id = id + 9007199254740993 WHERE event_id LIKE '%init'"),
    ],
  ];
  it.each(damage)('%s', async (_, change) => {
    const run = await crashed({ database: true });
    const db = new DatabaseSync(run.database!);
    change(db);
    db.close();
    const kind = await kindOf(recoverLog(run.log, { bufferDir: join(run.folder, 'buffers') }));
    expect(kind).toBe('not-a-buffer');
  });

  it('damaged pages', async () => {
    const run = await crashed({ database: true });
    const bytes = readFileSync(run.database!);
    // Keep the first page (the header), scramble the rest.
    for (let i = 4096; i < bytes.length; i += 7) bytes[i] = (bytes[i]! * 31 + 17) & 0xff;
    writeFileSync(run.database!, bytes);
    rmSync(`${run.database!}-wal`, { force: true });
    const kind = await kindOf(recoverLog(run.log, { bufferDir: join(run.folder, 'buffers') }));
    expect(['not-a-buffer', 'none']).toContain(kind);
  });
});

describe('leftovers of killed runs are removed by the next run, never those of a live one', () => {
  it('temporary outputs beside the log and private database copies in the temporary folder', async () => {
    const run = await crashed({ database: true });
    const temp = join(run.folder, 'tmp');
    mkdirSync(temp);
    const dead = deadPid();
    const now = Date.now();
    const deadOutput = join(run.logs, `.run-recovered.eval.salvage-${dead}-${now}.tmp`);
    const liveOutput = join(run.logs, `.run-recovered.eval.salvage-${process.pid}-${now}.tmp`);
    const deadCopy = join(temp, `salvage-buffer-${dead}-${now}-AbC123`);
    const liveCopy = join(temp, `salvage-buffer-${process.pid}-${now}-XyZ789`);
    for (const file of [deadOutput, liveOutput]) writeFileSync(file, 'partial');
    for (const folder of [deadCopy, liveCopy]) {
      mkdirSync(folder);
      writeFileSync(join(folder, 'copy.db'), 'partial');
    }
    const previous = process.env.TMPDIR;
    process.env.TMPDIR = temp;
    try {
      await recoverLog(run.log, { bufferDir: join(run.folder, 'buffers') });
    } finally {
      if (previous === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = previous;
    }
    expect(existsSync(deadOutput)).toBe(false);
    expect(existsSync(liveOutput)).toBe(true);
    expect(existsSync(deadCopy)).toBe(false);
    expect(existsSync(liveCopy)).toBe(true);
    // The recovery's own private copy is gone too.
    expect(readdirSync(temp).sort()).toEqual([`salvage-buffer-${process.pid}-${now}-XyZ789`]);
    expect(isJsonObject(await header(join(run.logs, 'run-recovered.eval')))).toBe(true);
  });
});
