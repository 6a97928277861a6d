// What a contributor's editor shows: opens every tracked TypeScript file in tsserver (the language
// service behind VS Code and most editors) and fails when a file is checked by a project other
// than its layer's tsconfig, or has any diagnostic there. `tsc -p` per layer cannot see this: an
// editor picks the project through the root tsconfig.json's references, and without them it falls
// back to an inferred project that flags every `.ts` import (TS5097).
import { execFileSync, spawn } from 'node:child_process';
import { resolve } from 'node:path';

interface Response {
  readonly type: string;
  readonly request_seq?: number;
  readonly success?: boolean;
  readonly body?: unknown;
}

/** The layer config that must check a file (see the layer table in docs/architecture.md). */
function expectedProject(file: string): string {
  if (file.endsWith('.integration.test.ts')) return 'tsconfig.integration.json';
  if (file.startsWith('renderer/')) return 'tsconfig.web.json';
  if (file.startsWith('shared/') && !file.endsWith('.test.ts')) return 'tsconfig.shared.json';
  return 'tsconfig.node.json';
}

const root = resolve(import.meta.dirname, '..');
const files = execFileSync('git', ['ls-files', '*.ts', '*.tsx'], { cwd: root, encoding: 'utf8' })
  .split('\n')
  .filter((file) => file && !file.endsWith('.d.ts') && !file.startsWith('test/fixtures/'));

const server = spawn(
  process.execPath,
  [resolve(root, 'node_modules/typescript/lib/tsserver.js'), '--disableAutomaticTypingAcquisition'],
  { cwd: root, stdio: ['pipe', 'pipe', 'inherit'] },
);
const waiting = new Map<number, (response: Response) => void>();
let received = Buffer.alloc(0);
server.stdout.on('data', (chunk: Buffer) => {
  received = Buffer.concat([received, chunk]);
  for (;;) {
    const text = received.toString('latin1');
    const match = /Content-Length: (\d+)\r\n\r\n/.exec(text);
    if (!match) return;
    const start = match.index + match[0].length;
    const length = Number(match[1]);
    if (received.length < start + length) return;
    const message = JSON.parse(
      received.subarray(start, start + length).toString('utf8'),
    ) as Response;
    received = received.subarray(start + length);
    if (message.type === 'response' && message.request_seq !== undefined) {
      waiting.get(message.request_seq)?.(message);
      waiting.delete(message.request_seq);
    }
  }
});

let sequence = 0;
function request(command: string, args: object): Promise<Response> {
  const seq = ++sequence;
  return new Promise((done) => {
    waiting.set(seq, done);
    server.stdin.write(`${JSON.stringify({ seq, type: 'request', command, arguments: args })}\n`);
  });
}

const problems: string[] = [];
for (const name of files) {
  const file = resolve(root, name);
  await request('open', { file });
  const info = (await request('projectInfo', { file, needFileNameList: false })).body as {
    configFileName?: string;
  };
  const project = info.configFileName?.slice(root.length + 1) ?? '(none)';
  if (project !== expectedProject(name)) {
    problems.push(`${name}: checked by ${project}, expected ${expectedProject(name)}`);
  }
  for (const kind of ['syntacticDiagnosticsSync', 'semanticDiagnosticsSync']) {
    const diagnostics = ((await request(kind, { file })).body ?? []) as ReadonlyArray<{
      start: { line: number };
      text: string;
    }>;
    for (const diagnostic of diagnostics)
      problems.push(`${name}:${diagnostic.start.line}: ${diagnostic.text}`);
  }
  await request('close', { file });
}
server.kill();

if (problems.length > 0) {
  console.error(`editor check: ${problems.length} problem(s)\n${problems.join('\n')}`);
  process.exit(1);
}
console.log(`editor check: ${files.length} files, each in its layer's project, 0 diagnostics`);
