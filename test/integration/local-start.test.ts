/**
 * `npm start` prerequisite failures: one line on stderr, exit code 1, nothing left running.
 * (The happy path is covered by local-stack.test.ts; start.ts only adds the checks and printing.)
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 50_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

function holdPort(): Promise<{ server: Server; port: number }> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as { port: number }).port }));
  });
}

describe('npm start prerequisites', () => {
  it('fails with one line and exit code 1 when PORT is busy', async () => {
    const { server, port } = await holdPort();
    try {
      const result = await run('npx', ['tsx', 'infra/local/start.ts'], { ...process.env, PORT: String(port), SANDBOX_PORT: '0' });
      expect(result.code).toBe(1);
      const lines = result.stderr.trimEnd().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(`Port ${port} (PORT) is already in use`);
    } finally {
      server.close();
    }
  });

  it('fails with one line and exit code 1 when Java is missing', async () => {
    // A PATH holding only `node`: no java on it.
    const bin = mkdtempSync(path.join(tmpdir(), 'no-java-'));
    symlinkSync(process.execPath, path.join(bin, 'node'));
    try {
      const tsx = path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');
      const result = await run(process.execPath, [tsx, 'infra/local/start.ts'], { ...process.env, PATH: bin, PORT: '0', SANDBOX_PORT: '0' });
      expect(result.code).toBe(1);
      const lines = result.stderr.trimEnd().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/Java 17\+ is required/);
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  });
});
