import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { electronBinary, missingDisplay } from './electronBinary.ts';

/**
 * `npm start`: the desktop app on the demo folder, with its live run being written; where
 * Electron cannot start (no binary, no display), web mode on the same folder, said in one line.
 * The renderer and the Electron bundles are built by `npm start` before this runs.
 */
const PROJECT = resolve(import.meta.dirname, '..');
const DEMO = resolve(PROJECT, 'demo/logs');
const children: ChildProcess[] = [];

function run(command: string, args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  const child = spawn(command, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  children.push(child);
  return child;
}

// The demo's running run: a separate writer process appending rollouts (git ignores demo/logs/live).
run(process.execPath, [resolve(PROJECT, 'electron/node/demo/liveRun.ts'), resolve(DEMO, 'live')]);

const binary = electronBinary();
const why = binary.path === null ? binary.reason : missingDisplay();
const app =
  why === null
    ? run(binary.path!, [PROJECT], { SALVAGE_LOG_DIR: DEMO })
    : (console.log(`Electron cannot start: ${why}; starting web mode instead.`),
      run(process.execPath, [resolve(PROJECT, 'electron/node/cli/main.ts'), 'serve', DEMO]));

const stop = (): void => {
  for (const child of children) child.kill('SIGTERM');
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
app.once('exit', (code) => {
  stop();
  process.exitCode = code ?? 0;
});
