import { stringifyInspectJson } from '../../../shared/formats/json/inspectJson.ts';
import { isSalvageError } from '../../../shared/util/errors.ts';
import { listRuns } from '../logs/listRuns.ts';
import { RunDigest } from '../index/runDigest.ts';
import { ReaderPool } from '../logs/readerPool.ts';
import { withLog } from '../logs/openLog.ts';
import { formatBytes, renderTable } from './table.ts';
import { formatScore } from '../../../shared/util/format.ts';
import { parseCommandArgs, USAGE, UsageError } from './usage.ts';
import { describeSummaries } from './humanOutput.ts';
import type { Output } from './output.ts';
import { recoverCommand } from './recoverCommand.ts';
import { sampleCommand, type StreamingOutput } from './sampleCommand.ts';
import { serveCommand } from './serveCommand.ts';
import { repairJsonlCommand } from './repairJsonlCommand.ts';
import { compareConfigCommand } from './compareConfigCommand.ts';
import { exportCommand } from './exportCommand.ts';
import { searchCommand } from './searchCommand.ts';

export type { Output };

const processOutput: StreamingOutput = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
  write: (text) => writeWithBackPressure(process.stdout, text),
};

/** Write and wait while the pipe is full: a multi-GB sample must not pile up in memory. */
function writeWithBackPressure(
  stream: NodeJS.WriteStream,
  chunk: Uint8Array | string,
): Promise<void> {
  if (stream.write(chunk)) return Promise.resolve();
  return new Promise((resolve) => stream.once('drain', resolve));
}

/** Exit codes: 0 ok, 1 bad input (a typed error), 2 usage, 3 a bug in Salvage. */
const EXIT_INTERNAL = 3;

/** Run the CLI; returns the exit code. */
export async function runCli(
  argv: ReadonlyArray<string>,
  output: StreamingOutput = processOutput,
): Promise<number> {
  try {
    const [command, ...rest] = argv;
    switch (command) {
      case 'ls':
        return await ls(rest, output);
      case 'info':
        return await info(rest, output);
      case 'sample':
        return await sampleCommand(rest, output);
      case 'recover':
        return await recoverCommand(rest, output);
      case 'repair':
        return await repairJsonlCommand(rest, output);
      case 'export':
        return await exportCommand(rest, output);
      case 'diff-config':
        return await compareConfigCommand(rest, output);
      case 'serve':
        return await serveCommand(rest, output);
      case 'search':
        return await searchCommand(rest, output);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        output.out(USAGE);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`Unknown command "${command}".`);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      output.err(`salvage: ${error.message}\n\n${USAGE}`);
      return 2;
    }
    if (isSalvageError(error)) {
      output.err(`salvage: ${error.message}`);
      return 1;
    }
    // A bug: one line for the user; the stack only when asked for.
    output.err(
      `salvage: internal error: ${error instanceof Error ? error.message : String(error)}. ` +
        'This is a bug in Salvage; set SALVAGE_DEBUG=1 to print where it happened.',
    );
    if (process.env.SALVAGE_DEBUG) output.err(String((error as Error).stack ?? error));
    return EXIT_INTERNAL;
  }
}

/**
 * A reader that stops early (`salvage info X --json | head`) closes the pipe: that is the user's
 * choice, not an error, so the CLI ends quietly instead of throwing EPIPE.
 */
function endQuietlyOnClosedPipe(stream: NodeJS.WriteStream): void {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

function parse(args: ReadonlyArray<string>, positionals: number) {
  const parsed = parseCommandArgs(args, { json: { type: 'boolean', default: false } });
  if (parsed.positionals.length !== positionals) {
    throw new UsageError(`Expected ${positionals} argument(s), got ${parsed.positionals.length}.`);
  }
  return { json: parsed.values.json === true, positionals: parsed.positionals };
}

async function ls(args: ReadonlyArray<string>, output: Output): Promise<number> {
  const { json, positionals } = parse(args, 1);
  const digest = RunDigest.open();
  const pool = new ReaderPool();
  let rows;
  try {
    rows = await listRuns(positionals[0]!, { digest, pool });
  } finally {
    digest.close();
    await pool.close();
  }
  if (json) {
    output.out(stringifyInspectJson(rows, 2));
    return 0;
  }
  output.out(
    renderTable(
      [
        'STATUS',
        'RECOVERY',
        'FORMAT',
        'TASK',
        'MODEL',
        'SCORE',
        'SAMPLES',
        'CREATED',
        'SIZE',
        'PATH',
      ],
      rows.map((row) => [
        row.status ?? 'unreadable',
        row.recovery ?? '-',
        row.format,
        row.task ?? '-',
        row.model ?? '-',
        row.scores[0] ? `${row.scores[0].name} ${formatScore(row.scores[0].value)}` : '-',
        `${row.samples.completed}/${row.samples.total ?? '?'}`,
        row.created ?? '-',
        formatBytes(row.size),
        row.problem ? `${row.path}  (${row.problem.message})` : row.path,
      ]),
    ),
  );
  return 0;
}

async function info(args: ReadonlyArray<string>, output: Output): Promise<number> {
  const { json, positionals } = parse(args, 1);
  const result = await withLog(positionals[0]!, async (reader) => ({
    header: await reader.readHeader(),
    summaries: await reader.readSummaries(),
  }));
  output.out(
    json ? stringifyInspectJson(result, 2) : describeSummaries(result.header, result.summaries),
  );
  return 0;
}

if (import.meta.main) {
  endQuietlyOnClosedPipe(process.stdout);
  endQuietlyOnClosedPipe(process.stderr);
  process.exitCode = await runCli(process.argv.slice(2));
}
