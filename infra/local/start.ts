/**
 * `npm start`: the whole kit on 127.0.0.1 — emulators, tables and queues, functions, the API,
 * the SQS pollers and the MONCRENEAU sandbox. Prerequisite failures print one line and exit 1;
 * Ctrl-C / SIGTERM stops everything this process started and exits 0.
 */
import path from 'node:path';
import { assertJava, PrerequisiteError } from './emulators';
import { loadLocalEnv } from './local-env';
import { assertPortFree, parsePort } from './prerequisites';
import { rmSync } from 'node:fs';
import { LOCAL_METRICS_FILE, removeRuntimeInfo, writeRuntimeInfo } from './runtime-file';
import { seedLedgerFromSandbox } from './seed-ledger';
import { startLocalStack, type LocalStack } from './stack';

const ROOT = path.resolve(__dirname, '..', '..');

function fail(error: unknown): never {
  const message = error instanceof Error ? error.message : String(error);
  // One line on stderr; the stack trace only on request.
  process.stderr.write(`npm start: ${message.split('\n')[0]}\n`);
  if (process.env.DEBUG && error instanceof Error && !(error instanceof PrerequisiteError)) process.stderr.write(`${error.stack}\n`);
  process.exit(1);
}

async function main(): Promise<void> {
  // The SDK's Node-version notice would be noise on every start.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  for (const notice of loadLocalEnv(ROOT)) console.log(notice);

  const port = parsePort(process.env.PORT, 3000, 'PORT');
  const sandboxPort = parsePort(process.env.SANDBOX_PORT, 4010, 'SANDBOX_PORT');
  assertJava();
  await assertPortFree(port, 'PORT');
  await assertPortFree(sandboxPort, 'SANDBOX_PORT');

  // Signals may arrive while starting: then the stack is stopped as soon as start-up returns.
  const state: { stack?: LocalStack; stopping: boolean } = { stopping: false };
  const shutdown = (signal: string): void => {
    if (state.stopping) {
      console.log(`${signal} again: exiting without waiting.`);
      process.exit(1);
    }
    state.stopping = true;
    if (!state.stack) return;
    console.log(`\n${signal}: stopping…`);
    state.stack.stop().then(
      () => {
        removeRuntimeInfo();
        process.exit(0);
      },
      (error: unknown) => fail(error),
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));

  console.log('Starting the local stack (DynamoDB Local, SQS emulator, functions, API)…');
  // Metrics of this run only: the alarms judge what this stack did.
  rmSync(LOCAL_METRICS_FILE, { force: true });
  const stack = await startLocalStack({ port, sandboxPort, withSandbox: true, prepare: seedLedgerFromSandbox, metricsFile: LOCAL_METRICS_FILE, log: (line) => console.log(line) });
  state.stack = stack;
  if (state.stopping) {
    await stack.stop();
    process.exit(0);
  }
  // Operator scripts (send a test event, redrive, inspect) find the running stack through this file.
  writeRuntimeInfo({
    pid: process.pid,
    apiUrl: stack.apiUrl,
    webhookUrl: stack.webhookUrl,
    sandboxUrl: stack.sandboxUrl,
    dynamoEndpoint: stack.emulators.dynamoEndpoint,
    sqsEndpoint: stack.emulators.sqsEndpoint,
    region: stack.emulators.region,
    resources: stack.resources,
    metricsFile: stack.metricsFile,
  });
  const lines = [
    '',
    'MONCRENEAU go-live kit — local stack ready',
    `  API (REST v1 semantics)  ${stack.apiUrl}`,
    ...(stack.webhookUrl ? [`  Webhook URL              ${stack.webhookUrl}`] : []),
    ...(stack.sandboxUrl ? [`  MONCRENEAU sandbox       ${stack.sandboxUrl}`] : []),
    `  DynamoDB Local           ${stack.emulators.dynamoEndpoint}`,
    `  SQS emulator (fauxqs)    ${stack.emulators.sqsEndpoint}`,
    `  Tables                   ${Object.values(stack.resources.tables).join(', ')}`,
    `  Queues                   ${Object.values(stack.resources.queues).map((q) => q.url.split('/').pop()).join(', ')}`,
    '',
    'Press Ctrl-C to stop everything (emulators included).',
  ];
  console.log(lines.join('\n'));
}

main().catch(fail);
