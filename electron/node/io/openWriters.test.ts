import { spawn, type ChildProcess } from 'node:child_process';
import { linkSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { assertNoWriter, findWriters } from './openWriters.ts';

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function tempFile(): string {
  const folder = mkdtempSync(join(tmpdir(), 'salvage-writers-'));
  cleanups.push(() => rmSync(folder, { recursive: true, force: true }));
  const file = join(folder, 'results.jsonl');
  writeFileSync(file, '{"a":1}\n');
  return file;
}

/** A child process that opens `file` with `flags` and keeps it open until killed. */
async function holder(file: string, flags: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [
    '-e',
    `require('fs').openSync(${JSON.stringify(file)}, ${JSON.stringify(flags)}); console.log('open'); setInterval(() => {}, 1000);`,
  ]);
  cleanups.push(() => child.kill());
  await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
  return child;
}

const refuse = (why: string): Error => new Error(why);

describe.runIf(process.platform === 'linux')('open writers on Linux', () => {
  it('finds a process that holds the file open for appending, by pid', async () => {
    const file = tempFile();
    const child = await holder(file, 'a');
    const report = await findWriters(file);
    expect(report?.writers.map((writer) => writer.pid)).toEqual([child.pid]);
    expect(report?.writers[0]?.command).toMatch(/^node -e require/);
    await expect(assertNoWriter(file, refuse)).rejects.toThrow(
      new RegExp(`^node -e .* \\(pid ${child.pid}\\) has it open for writing$`),
    );
  });

  it('ignores readers and this process itself', async () => {
    const file = tempFile();
    await holder(file, 'r');
    expect((await findWriters(file))?.writers).toEqual([]);
    const past = new Date(Date.now() - 60_000);
    utimesSync(file, past, past);
    await expect(assertNoWriter(file, refuse)).resolves.toBeUndefined();
  });

  it('finds a writer that opened the same file by another path', async () => {
    const file = tempFile();
    const alias = `${file}.alias`;
    linkSync(file, alias);
    const child = await holder(alias, 'a');
    expect((await findWriters(file))?.writers.map((writer) => writer.pid)).toEqual([child.pid]);
  });
});

describe('where the OS cannot say who writes', () => {
  const unknown = (): Promise<null> => Promise.resolve(null);

  it('refuses a file modified moments ago', async () => {
    const file = tempFile();
    await expect(assertNoWriter(file, refuse, unknown)).rejects.toThrow(/modified \d+ ms ago/);
  });

  it('refuses a file modified moments ago when some processes could not be looked at', async () => {
    const file = tempFile();
    const partial = () => Promise.resolve({ writers: [], complete: false });
    await expect(assertNoWriter(file, refuse, partial)).rejects.toThrow(/modified \d+ ms ago/);
  });

  it('accepts a file that has been quiet', async () => {
    const file = tempFile();
    const past = new Date(Date.now() - 60_000);
    utimesSync(file, past, past);
    await expect(assertNoWriter(file, refuse, unknown)).resolves.toBeUndefined();
  });
});
