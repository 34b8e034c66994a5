/**
 * The receiver's cold first request, as Lambda would run it, in a fresh Node process: require() the
 * deployed bundle (module init), then the first request — which reads the signing secret from Secrets
 * Manager (a local stand-in answering GetSecretValue: the SDK's own first-call work is what is measured,
 * not AWS's latency) and enqueues on the SQS emulator — then a second, warm request for comparison.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { buildFunction, lambdaLikeEnvironment } from './bundles';

export interface ColdFigures {
  readonly initMs: number;
  readonly firstRequestMs: number;
  readonly secondRequestMs: number;
}

const MARK = '@@cold-start ';

/** Runs in the child: init, first request, second request; prints the three durations after MARK. */
const CHILD = `
const [bundle, first, second] = process.argv.slice(1);
const context = (id) => ({ functionName: 'webhook-receiver', functionVersion: '$LATEST', invokedFunctionArn: 'arn:aws:lambda:eu-west-3:000000000000:function:webhook-receiver', memoryLimitInMB: '512', awsRequestId: id, logGroupName: 'g', logStreamName: 's', callbackWaitsForEmptyEventLoop: true, getRemainingTimeInMillis: () => 10000, done() {}, fail() {}, succeed() {} });
const t0 = performance.now();
const { handler } = require(bundle);
const t1 = performance.now();
handler(JSON.parse(first), context('r1')).then(async (a) => {
  const t2 = performance.now();
  const b = await handler(JSON.parse(second), context('r2'));
  const t3 = performance.now();
  if (a.statusCode !== 200 || b.statusCode !== 200) throw new Error('receiver answered ' + a.statusCode + '/' + b.statusCode);
  process.stdout.write('\\n${MARK}' + JSON.stringify({ initMs: t1 - t0, firstRequestMs: t2 - t1, secondRequestMs: t3 - t2 }) + '\\n');
});
`;

/** A Secrets Manager stand-in: answers every GetSecretValue with `secret` (JSON protocol, as the SDK speaks it). */
async function secretsManagerStandIn(secret: Record<string, string>): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify({ ARN: 'arn:aws:secretsmanager:eu-west-3:000000000000:secret:webhook', Name: 'webhook', VersionId: 'v1', SecretString: JSON.stringify(secret), CreatedDate: 1 }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

export async function measureColdFirstRequest(options: {
  runs: number;
  secret: string;
  env: Readonly<Record<string, string>>;
  /** Two signed API Gateway proxy events per run (a fresh event id each). */
  requests: () => [unknown, unknown];
}): Promise<ColdFigures[]> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'moncreneau-cold-'));
  const secrets = await secretsManagerStandIn({ current: options.secret });
  try {
    const bundle = path.join(dir, 'webhook-receiver.js');
    await buildFunction('webhook-receiver', bundle);
    const env = {
      ...process.env,
      ...lambdaLikeEnvironment('webhookReceiver'),
      ...options.env,
      WEBHOOK_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-3:000000000000:secret:webhook',
      AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.url,
    };
    const figures: ColdFigures[] = [];
    for (let i = 0; i < options.runs; i++) {
      const [first, second] = options.requests();
      // Asynchronously: the Secrets Manager stand-in answers from this process's event loop.
      const { stdout: out } = await promisify(execFile)(process.execPath, ['-e', CHILD, bundle, JSON.stringify(first), JSON.stringify(second)], { env, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
      const line = out.split('\n').find((l) => l.startsWith(MARK));
      if (!line) throw new Error(`cold start run printed no figures:\n${out.slice(-2000)}`);
      figures.push(JSON.parse(line.slice(MARK.length)) as ColdFigures);
    }
    return figures;
  } finally {
    await secrets.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
