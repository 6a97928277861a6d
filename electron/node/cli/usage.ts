import { parseArgs, type ParseArgsConfig } from 'node:util';

/** Wrong command-line words: exit code 2 with the usage text. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export const USAGE = `Usage: salvage <command> [options]

Commands:
  ls DIR [--json]                 every Inspect log under DIR, one row per run
  info LOG [--json]               the log's header and de-duplicated sample summaries
  sample LOG ID EPOCH [--json]    one full sample, pools and attachments resolved
  recover LOG [--output P] [--overwrite] [--no-events] [--buffer-dir D] [--cleanup] [--dry-run] [--json]
                                  rebuild a crashed run from its sample buffer (or a truncated archive)
  repair FILE [--dry-run] [--json]
                                  repair a JSONL log's torn or spliced line; the bytes go to a sidecar
  repair --undo SIDECAR [--json]  put a repair's bytes back exactly
  export LOG --to eval|json|jsonl|csv OUTPUT [--overwrite]
  export LOG --to md --sample ID [--epoch N] OUTPUT
                                  a run (or a recovered run) in formats other tools read
  diff-config A B [--json]        compare two runs' configurations: throughput vs result-affecting keys
  search QUERY [DIR...] [--json] [--limit N] [--status S] [--format F] [--task T] [--model M]
         [--min-score X] [--max-score X] [--from DATE] [--to DATE]
                                  every word of every run under DIR (default: here): words, "phrases",
                                  prefix*, a OR b, -word; the index is kept in Salvage's data folder
  serve [DIR] [--port N] [--host H] [--new-token]
                                  web mode: the app in a browser (loopback, token in the printed URL,
                                  kept across restarts; --new-token makes a new one)
  recover --list DIR [--buffer-dir D] [--json]
                                  every recoverable run under DIR

DIR, LOG and OUTPUT may be s3://bucket/prefix (AWS_* variables and ~/.aws configure access).

Exit codes: 0 ok, 1 bad input (the reason on stderr), 2 usage.`;

/** node:util parseArgs with positionals allowed and strict options, its errors turned into usage errors. */
export function parseCommandArgs<O extends NonNullable<ParseArgsConfig['options']>>(
  args: ReadonlyArray<string>,
  options: O,
) {
  try {
    return parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}
