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

Exit codes: 0 ok, 1 bad input (the reason on stderr), 2 usage.`;
