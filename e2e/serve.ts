import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** A running `salvage serve` on a fresh copy of the demo folder. */
export interface DemoServer {
  readonly url: string;
  /** The demo copy the server opened. */
  readonly folder: string;
  /** The temporary root holding the demo copy and Salvage's data directory. */
  readonly root: string;
  /** Stop the server and start it again on the same folder and data directory. */
  restart(): Promise<DemoServer>;
  stop(): Promise<void>;
}

const PROJECT = resolve(import.meta.dirname, '..');

/** A fresh copy of the demo folder in a new temporary root (`<root>/logs`). */
export function copyDemo(prefix: string): { root: string; folder: string } {
  const root = mkdtempSync(join(tmpdir(), prefix));
  const folder = join(root, 'logs');
  // The live run `npm start` writes is not part of the demo the tests see.
  cpSync(join(PROJECT, 'demo/logs'), folder, {
    recursive: true,
    filter: (source) => source !== join(PROJECT, 'demo/logs/live'),
  });
  return { root, folder };
}

export async function serveDemoCopy(): Promise<DemoServer> {
  const { root, folder } = copyDemo('salvage-e2e-');
  return serve(root, folder);
}

/** `salvage serve` on any folder, with its own data directory (benchmarks use it too). */
export async function serveFolder(
  folder: string,
  data: string,
): Promise<{ url: string; stop(): Promise<void> }> {
  const child: ChildProcess = spawn(
    join(PROJECT, 'bin/salvage'),
    ['serve', folder, '--port', '0'],
    {
      env: { ...process.env, SALVAGE_DATA_DIR: data },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const url = await new Promise<string>((resolveUrl, reject) => {
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Open (http:\/\/\S+)/.exec(output);
      if (match) resolveUrl(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`salvage serve exited with ${code}: ${output}`)));
  });
  return {
    url,
    stop: async () => {
      const exited = new Promise<number | null>((done) => child.once('exit', done));
      child.kill('SIGTERM');
      // A stop is the user's Ctrl-C: the server closes what it holds and exits cleanly.
      const code = await exited;
      if (code !== 0) throw new Error(`salvage serve exited with code ${code} when stopped`);
    },
  };
}

async function serve(root: string, folder: string): Promise<DemoServer> {
  const server = await serveFolder(folder, join(root, 'data'));
  return {
    url: server.url,
    folder,
    root,
    restart: async () => {
      await server.stop();
      return serve(root, folder);
    },
    stop: async () => {
      await server.stop();
      rmSync(root, { recursive: true, force: true });
    },
  };
}
