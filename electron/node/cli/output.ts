/** Where a command writes; injected so tests can run commands in-process. */
export interface Output {
  out(text: string): void;
  err(text: string): void;
}
