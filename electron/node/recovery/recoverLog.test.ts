import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EvalLogReader } from '../../../shared/formats/inspect-eval/evalLogReader.ts';
import { isJsonObject, type JsonValue } from '../../../shared/formats/json/inspectJson.ts';
import { readEntryChunks } from '../../../shared/formats/zip/entryReader.ts';
import { scalarText, type Sample } from '../../../shared/model/log.ts';
import { plannedSamples } from '../../../shared/model/runFacts.ts';
import { SalvageError } from '../../../shared/util/errors.ts';
import { nodeZlibCodecs } from '../codecs/nodeZlibCodecs.ts';
import { FileByteSource } from '../io/fileByteSource.ts';
import { fixture } from '../../../test/support/fixtures.ts';
import { inspectValidator, schemaErrors } from '../../../test/support/inspectSchema.ts';
import { writeCrashedRun } from '../../../test/support/crashedRun.ts';
import { planRecovery, recoverLog } from './recoverLog.ts';
import { recoveryState } from './bufferLocation.ts';

const codecs = nodeZlibCodecs();
const CRASH = fixture('synthetic/crash-with-buffer');
const LOG_NAME = '2026-11-23T12-00-00+00-00_popularity_SyntheticCrash0001';
const DB_FOLDER = join(
  CRASH,
  'samplebuffer/0dff53b5ff91002cd2c9be38ceb7fc6ef82c603e57bb917e774b6c24fb864b11',
);

const folders: string[] = [];
function tempFolder(): string {
  const folder = mkdtempSync(join(tmpdir(), 'salvage-recover-'));
  folders.push(folder);
  return folder;
}
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

/** The crashed fixture log in a fresh folder, with its filestore (`.buffer/`) or without. */
function crashedFixture(withFilestore: boolean): string {
  const folder = tempFolder();
  cpSync(join(CRASH, 'logs', `${LOG_NAME}.eval`), join(folder, `${LOG_NAME}.eval`));
  if (withFilestore)
    cpSync(join(CRASH, 'logs/.buffer'), join(folder, '.buffer'), { recursive: true });
  return join(folder, `${LOG_NAME}.eval`);
}

function hashTree(path: string): string {
  const hash = createHash('sha256');
  const walk = (current: string): void => {
    if (!existsSync(current)) return;
    const names = readdirSync(current, { withFileTypes: true }).sort((a, b) =>
      a.name.localeCompare(b.name),
    );
    for (const entry of names) {
      const full = join(current, entry.name);
      if (entry.isDirectory()) walk(full);
      else hash.update(entry.name).update(readFileSync(full));
    }
  };
  if (
    readdirSync(join(path, '..')).includes(basename(path)) &&
    !path.endsWith('.eval') &&
    !path.endsWith('.db')
  )
    walk(path);
  else hash.update(readFileSync(path));
  return hash.digest('hex');
}

async function readAll(
  path: string,
): Promise<{ header: Record<string, JsonValue>; samples: Sample[] }> {
  const source = await FileByteSource.open(path);
  try {
    const reader = await EvalLogReader.open(source, codecs);
    // Every entry decodes to the CRC its directory records.
    for (const entry of reader.directory.entries)
      for await (const chunk of readEntryChunks(source, entry, codecs)) void chunk;
    const samples: Sample[] = [];
    for (const ref of await reader.listSamples())
      samples.push(await reader.readSample(ref.id, ref.epoch));
    return { header: await reader.readHeader(), samples };
  } finally {
    await source.close();
  }
}

function byId(samples: ReadonlyArray<Sample>): Map<string, Sample> {
  return new Map(samples.map((sample) => [scalarText(sample.id), sample]));
}

describe('recovery of the crash fixture', () => {
  it('gives the same samples from the database (hot WAL) and from the filestore', async () => {
    const fromDatabase = await recoverLog(crashedFixture(false), { bufferDir: DB_FOLDER });
    const fromFilestore = await recoverLog(crashedFixture(true));
    expect(fromDatabase).toMatchObject({
      source: 'database',
      flushed: 7,
      completed: 2,
      inProgress: 1,
      lost: 0,
      total: 10,
    });
    expect(fromFilestore).toMatchObject({
      source: 'filestore',
      flushed: 7,
      completed: 2,
      inProgress: 1,
      lost: 0,
      total: 10,
    });

    const database = byId((await readAll(fromDatabase.output)).samples);
    const filestore = byId((await readAll(fromFilestore.output)).samples);
    expect([...database.keys()].sort()).toEqual([
      '1',
      '10',
      '2',
      '3',
      '4',
      '5',
      '6',
      '7',
      '8',
      '9',
    ]);
    expect([...filestore.keys()].sort()).toEqual([...database.keys()].sort());
    for (const [id, sample] of database) {
      const other = filestore.get(id)!;
      expect(other.messages).toEqual(sample.messages);
      expect(other.scores).toEqual(sample.scores);
      expect(other.error).toEqual(sample.error);
      expect((other.events as JsonValue[]).length).toBe((sample.events as JsonValue[]).length);
    }
  });

  it('rebuilds completed samples from their events and keeps the in-progress one with CancelledError()', async () => {
    const report = await recoverLog(crashedFixture(false), { bufferDir: DB_FOLDER });
    const { header, samples } = await readAll(report.output);
    const sample = byId(samples);
    const eight = sample.get('8')!;
    const messages = eight.messages as Array<Record<string, JsonValue>>;
    expect(messages.map((message) => message.role)).toEqual(['system', 'user', 'assistant']);
    expect(messages[1]!.content).toContain('I want to harm human beings');
    expect(messages[2]!.content).toBe('No');
    expect(eight.scores).toMatchObject({ match: { value: 'C' } });
    // Duplicate pending/resolved rows collapse to one resolved model event.
    const models = (eight.events as Array<Record<string, JsonValue>>).filter(
      (event) => event.event === 'model',
    );
    expect(models.every((event) => event.pending === undefined)).toBe(true);
    expect(new Set(models.map((event) => event.uuid)).size).toBe(models.length);

    const ten = sample.get('10')!;
    expect(ten.error).toMatchObject({ message: 'CancelledError()' });
    expect(ten.scores).toBeUndefined();
    expect((ten.messages as JsonValue[]).length).toBeGreaterThan(0);

    expect(header.status).toBe('error');
    expect(header.error).toMatchObject({ message: 'Eval recovered from crash' });
    const results = header.results as {
      total_samples: number;
      completed_samples: number;
      scores: Array<{ metrics: Record<string, { value: number }> }>;
    };
    expect(results.total_samples).toBe(10);
    expect(results.completed_samples).toBe(9);
    // 1–9 scored: C C I C C C I C C.
    expect(results.scores[0]!.metrics.accuracy!.value).toBeCloseTo(7 / 9, 10);
    expect(results.scores[0]!.metrics.stderr!.value).toBeCloseTo(
      Math.sqrt(((7 / 9) * (2 / 9) * (9 / 8)) / 9),
      10,
    );
  });

  it.each([false, true])(
    'writes a log whose header and samples validate against Inspect’s schema (filestore: %s)',
    async (withFilestore) => {
      const report = await recoverLog(
        crashedFixture(withFilestore),
        withFilestore ? {} : { bufferDir: DB_FOLDER },
      );
      const { header, samples } = await readAll(report.output);
      const validateLog = inspectValidator('EvalLog');
      expect(
        validateLog(JSON.parse(JSON.stringify(header))),
        schemaErrors(validateLog).join('\n'),
      ).toBe(true);
      const validateSample = inspectValidator('EvalSample');
      for (const sample of samples) {
        expect(
          validateSample(JSON.parse(JSON.stringify(sample))),
          schemaErrors(validateSample).join('\n'),
        ).toBe(true);
      }
    },
  );

  it('never modifies the crashed log or the buffer, and removes the buffer only with cleanup', async () => {
    const log = crashedFixture(true);
    const filestore = join(log, '..', '.buffer', LOG_NAME);
    const before = [hashTree(log), hashTree(filestore)];
    await recoverLog(log, { output: join(log, '..', 'out.eval') });
    expect([hashTree(log), hashTree(filestore)]).toEqual(before);
    const report = await recoverLog(log, { output: join(log, '..', 'out2.eval'), cleanup: true });
    expect(report.cleanedUp).toBe(true);
    expect(existsSync(filestore)).toBe(false);
    expect(hashTree(log)).toBe(before[0]);
  });

  it('plans without writing (dry run) and refuses to overwrite without --overwrite', async () => {
    const log = crashedFixture(true);
    const plan = await planRecovery(log);
    expect(plan).toMatchObject({
      source: 'filestore',
      archive: 'intact',
      flushed: 7,
      completed: 2,
      inProgress: 1,
    });
    expect(existsSync(plan.output)).toBe(false);
    await recoverLog(log);
    const error = await recoverLog(log).catch((caught: unknown) => caught);
    expect((error as SalvageError).message).toContain('--overwrite');
    await expect(recoverLog(log, { overwrite: true })).resolves.toMatchObject({ written: 10 });
  });

  it('drops transcripts with --no-events', async () => {
    const report = await recoverLog(crashedFixture(true), { includeEvents: false });
    const { samples } = await readAll(report.output);
    const rebuilt = samples.filter((sample) => Number(sample.id) >= 8);
    expect(rebuilt).toHaveLength(3);
    for (const sample of rebuilt) {
      expect(sample.events).toEqual([]);
      expect((sample.messages as JsonValue[]).length).toBeGreaterThan(0);
    }
  });
});

describe('what cannot be recovered', () => {
  it('reports a run whose buffer database belongs to a live process as running', async () => {
    const log = crashedFixture(false);
    const buffers = tempFolder();
    cpSync(
      join(DB_FOLDER, `${LOG_NAME}.eval.99999999.db`),
      join(buffers, `${LOG_NAME}.eval.${process.pid}.db`),
    );
    expect(recoveryState(log, false, buffers)).toEqual({ state: 'running', pid: process.pid });
    const error = await planRecovery(log, { bufferDir: buffers }).catch(
      (caught: unknown) => caught,
    );
    expect((error as SalvageError).kind).toBe('not-recoverable');
    expect((error as SalvageError).message).toContain('still running');
  });

  it.runIf(process.platform === 'linux')(
    'takes a database whose pid now belongs to a later process as crashed, not running',
    () => {
      const log = crashedFixture(false);
      const buffers = tempFolder();
      const copy = join(buffers, `${LOG_NAME}.eval.${process.pid}.db`);
      cpSync(join(DB_FOLDER, `${LOG_NAME}.eval.99999999.db`), copy);
      // Last written long before this process (which has the pid now) started: not its writer.
      const longAgo = new Date('2020-01-01T00:00:00Z');
      utimesSync(copy, longAgo, longAgo);
      expect(recoveryState(log, false, buffers)).toEqual({
        state: 'recoverable',
        source: 'database',
      });
    },
  );

  it('refuses a finished log', async () => {
    const error = await planRecovery(
      fixture('real/inspect_ai/tests/log/test_eval_log/log_formats.eval'),
    ).catch((caught: unknown) => caught);
    expect((error as SalvageError).kind).toBe('not-recoverable');
  });

  it('gives a typed error for a buffer database that is not SQLite', async () => {
    const log = crashedFixture(false);
    const buffers = tempFolder();
    writeFileSync(join(buffers, `${LOG_NAME}.eval.99999999.db`), 'this is not a database');
    const error = await planRecovery(log, { bufferDir: buffers }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(SalvageError);
    expect((error as SalvageError).kind).toBe('not-a-buffer');
  });

  it('gives a typed error for a manifest that is not JSON', async () => {
    const log = crashedFixture(true);
    writeFileSync(join(log, '..', '.buffer', LOG_NAME, 'manifest.json'), '{"samples": [');
    const error = await planRecovery(log).catch((caught: unknown) => caught);
    expect((error as SalvageError).kind).toBe('not-a-buffer');
  });

  it('warns and goes on when a segment is missing or corrupt, losing only what it held', async () => {
    const log = crashedFixture(true);
    const store = join(log, '..', '.buffer', LOG_NAME);
    rmSync(join(store, 'segment.2.zip'));
    const missing = await recoverLog(log, { output: join(log, '..', 'missing.eval') });
    expect(missing.warnings.join('\n')).toContain('segment.2.zip is missing');
    expect(missing.written).toBe(10);

    writeFileSync(join(store, 'segment.2.zip'), 'PK\u0003\u0004 garbage');
    const corrupt = await recoverLog(log, { output: join(log, '..', 'corrupt.eval') });
    expect(corrupt.warnings.join('\n')).toMatch(/segment\.2\.zip is damaged/);
    expect(corrupt.written).toBe(10);
  });
});

describe('truncated archives', () => {
  it('salvages every complete entry before the cut, names the lost ones, and combines with the buffer', async () => {
    const log = crashedFixture(true);
    const bytes = readFileSync(log);
    // Cut inside the sixth flushed sample: its entry and everything after it are gone.
    const source = await FileByteSource.open(log);
    const entry = (await EvalLogReader.open(source, codecs)).directory.byName.get(
      'samples/6_epoch_1.json',
    )!;
    await source.close();
    writeFileSync(log, bytes.subarray(0, entry.localHeaderOffset + 60));

    const plan = await planRecovery(log);
    expect(plan).toMatchObject({
      source: 'filestore',
      archive: 'truncated',
      flushed: 5,
      completed: 2,
      inProgress: 1,
      lost: 1,
    });
    expect(plan.lostEntries.map((lost) => lost.name)).toEqual(['samples/6_epoch_1.json']);
    const report = await recoverLog(log);
    const { samples } = await readAll(report.output);
    expect(samples.map((sample) => scalarText(sample.id)).sort()).toEqual([
      '1',
      '10',
      '2',
      '3',
      '4',
      '5',
      '8',
      '9',
    ]);
  });

  it('recovers a truncated archive without any buffer', async () => {
    const folder = tempFolder();
    const log = join(folder, 'cut.eval');
    const original = readFileSync(fixture('synthetic/truncated/popularity_deflate_started.eval'));
    writeFileSync(log, original.subarray(0, Math.floor(original.length * 0.7)));
    const report = await recoverLog(log);
    expect(report.source).toBe('truncated-archive');
    expect(report.flushed).toBeGreaterThan(0);
    expect(report.lostEntries.length).toBeGreaterThan(0);
    const { samples } = await readAll(report.output);
    expect(samples).toHaveLength(report.flushed);
  });
});

describe('generated crashed runs', () => {
  it('recover the same from a database and a filestore, with pooled events and duplicate rows resolved', async () => {
    const folder = tempFolder();
    const run = await writeCrashedRun({
      folder: join(folder, 'logs'),
      name: 'run',
      flushed: 4,
      completed: 3,
      inProgress: 2,
      segments: 3,
      databaseFolder: join(folder, 'db'),
    });
    const fromDatabase = await recoverLog(run.log, {
      bufferDir: join(folder, 'db'),
      output: join(folder, 'db.eval'),
    });
    const fromFilestore = await recoverLog(run.log, { output: join(folder, 'fs.eval') });
    expect(fromDatabase).toMatchObject({ flushed: 4, completed: 3, inProgress: 2 });
    const database = byId((await readAll(fromDatabase.output)).samples);
    const filestore = byId((await readAll(fromFilestore.output)).samples);
    expect(database.size).toBe(9);
    for (const [id, sample] of database) {
      expect(filestore.get(id)!.messages).toEqual(sample.messages);
      expect(filestore.get(id)!.error).toEqual(sample.error);
    }
    const rebuilt = database.get('5')!;
    expect(
      (rebuilt.messages as Array<Record<string, JsonValue>>).map((message) => message.content),
    ).toEqual(['Answer with one word.', 'Question 5: is 5 even? ', 'No']);
    const model = (rebuilt.events as Array<Record<string, JsonValue>>).find(
      (event) => event.event === 'model',
    )!;
    expect(
      isJsonObject(model.call) &&
        isJsonObject(model.call.request) &&
        Array.isArray(model.call.request.messages),
    ).toBe(true);
    const init = (rebuilt.events as Array<Record<string, JsonValue>>).find(
      (event) => event.event === 'sample_init',
    )!;
    expect((init.sample as Record<string, JsonValue>).input).toMatch(
      /^Attachment text of sample 5/,
    );
    expect(database.get('9')!.error).toMatchObject({ message: 'CancelledError()' });
  });

  it('leaves the original byte-identical and no output when the process is killed mid-write', async () => {
    const folder = tempFolder();
    const run = await writeCrashedRun({
      folder: join(folder, 'logs'),
      name: 'big',
      flushed: 400,
      completed: 1,
      inProgress: 0,
      segments: 1,
      textChars: 200_000,
    });
    const before = hashTree(run.log);
    const output = join(folder, 'logs', 'big-recovered.eval');
    const child = spawn(
      process.execPath,
      [
        '-e',
        `import(${JSON.stringify(new URL('./recoverLog.ts', import.meta.url).href)}).then((m) => m.recoverLog(${JSON.stringify(run.log)}))`,
      ],
      { stdio: 'ignore' },
    );
    // Kill it as soon as its temporary file exists, i.e. during the write.
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        if (readdirSync(join(folder, 'logs')).some((name) => name.endsWith('.tmp'))) {
          child.kill('SIGKILL');
          clearInterval(poll);
          resolve();
        }
      }, 5);
    });
    await new Promise((resolve) => child.on('exit', resolve));
    expect(hashTree(run.log)).toBe(before);
    expect(existsSync(output)).toBe(false);
  });
});

describe('a buffer that still holds samples the log has flushed', () => {
  it('recovers each once, and the plan, --dry-run and --list show both figures', async () => {
    const folder = tempFolder();
    // A kill between a flush and the buffer's cleanup of the flushed rows: samples 1-3 are in both.
    const run = await writeCrashedRun({
      folder: join(folder, 'logs'),
      name: 'run',
      flushed: 4,
      completed: 3,
      inProgress: 2,
      alsoFlushedInBuffer: 3,
      segments: 2,
      databaseFolder: join(folder, 'db'),
    });
    const expected = { flushed: 4, completed: 3, inProgress: 2, alreadyFlushed: 3 };
    for (const options of [{ bufferDir: join(folder, 'db') }, {}]) {
      const plan = await planRecovery(run.log, options);
      expect(plan).toMatchObject(expected);
      const report = await recoverLog(run.log, {
        ...options,
        output: join(folder, `${plan.source}.eval`),
      });
      expect(report).toMatchObject({ ...expected, written: 9 });
      const ids = (await readAll(report.output)).samples.map((sample) => scalarText(sample.id));
      expect(ids.sort()).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9']);
    }
    const { recoverCommand } = await import('../cli/recoverCommand.ts');
    const out: string[] = [];
    const output = { out: (text: string) => out.push(text), err: () => undefined };
    await recoverCommand([run.log, '--dry-run', '--buffer-dir', join(folder, 'db')], output);
    expect(out.join('\n')).toContain(
      'samples:      4 flushed, 3 completed in the buffer to recover, 3 already flushed, 2 in progress',
    );
    out.length = 0;
    await recoverCommand(['--list', join(folder, 'logs'), '--json'], output);
    expect(JSON.parse(out.join('\n'))).toEqual([
      expect.objectContaining({ completed: 3, already_flushed: 3, in_progress: 2 }),
    ]);
  });
});

describe('the number of samples planned', () => {
  // The runs list, `salvage recover`, `salvage info` and the run view (which shows
  // plannedSamples of the header it reads) give one figure for each configuration.
  it.each([
    [{ limit: [10, 20], epochs: 2 }, 20],
    [{ sample_id: [1, 2, 3], epochs: 2 }, 6],
    [{ limit: 5, epochs: 3 }, 15],
  ])('%j: %d everywhere', async (config, planned) => {
    const folder = tempFolder();
    const run = await writeCrashedRun({
      folder: join(folder, 'logs'),
      name: 'limited',
      flushed: 2,
      completed: 1,
      inProgress: 1,
      segments: 1,
      datasetSamples: 50,
      config,
    });
    const plan = await planRecovery(run.log, { bufferDir: tempFolder() });
    expect(plan.total).toBe(planned);
    const { listRuns } = await import('../logs/listRuns.ts');
    const [row] = await listRuns(join(folder, 'logs'));
    expect(row!.samples.total).toBe(planned);
    const { recoverCommand } = await import('../cli/recoverCommand.ts');
    const out: string[] = [];
    await recoverCommand([run.log, '--dry-run'], { out: (text) => out.push(text), err: () => {} });
    expect(out.join('\n')).toContain(`lost (of ${planned})`);
    const { runCli } = await import('../cli/main.ts');
    const info: string[] = [];
    await runCli(['info', run.log], { out: (text) => info.push(text), err: () => {} });
    expect(info.join('\n')).toMatch(new RegExp(`samples: \\d+ of ${planned} planned`));
    const { withLog } = await import('../logs/openLog.ts');
    const header = await withLog(run.log, (reader) => reader.readHeader());
    expect(plannedSamples(isJsonObject(header.eval) ? header.eval : {})).toBe(planned);
  });
});

describe('salvage ls', () => {
  it('lists the recovery source of crashed runs and tells running from crashed', async () => {
    const { listRuns } = await import('../logs/listRuns.ts');
    const log = crashedFixture(true);
    const folder = join(log, '..');
    const truncated = readFileSync(fixture('synthetic/truncated/popularity_deflate_started.eval'));
    writeFileSync(join(folder, 'cut.eval'), truncated.subarray(0, truncated.length - 100));
    cpSync(
      fixture('real/inspect_ai/tests/log/test_eval_log/log_formats.eval'),
      join(folder, 'finished.eval'),
    );
    const rows = new Map((await listRuns(folder)).map((row) => [row.path, row]));
    expect(rows.get(`${LOG_NAME}.eval`)).toMatchObject({
      status: 'started',
      recovery: 'filestore',
    });
    expect(rows.get('cut.eval')).toMatchObject({
      status: 'started',
      recovery: 'truncated-archive',
      problem: { kind: 'central-directory-missing' },
    });
    expect(rows.get('finished.eval')).toMatchObject({ status: 'success', recovery: null });
  });
});

describe('filestore metadata file names', () => {
  it('hash the sample key exactly as Python json.dumps writes it', async () => {
    const { pythonJsonDumps } = await import('./filestoreBuffer.ts');
    // Expected texts from Python: json.dumps(["a,b", 1]), json.dumps(["naïve", 2]).
    expect(pythonJsonDumps('a,b', 1)).toBe('["a,b", 1]');
    expect(pythonJsonDumps('naïve', 2)).toBe('["na\\u00efve", 2]');
    expect(pythonJsonDumps('8', 1)).toBe('["8", 1]');
  });
});
