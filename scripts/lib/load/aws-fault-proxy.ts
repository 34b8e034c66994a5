/**
 * Faults at the AWS wire, without touching the code under test: a loopback HTTP proxy in front of each
 * emulator (the functions and the local runtime's pollers reach it through their endpoints) that fails a
 * seeded share of data-plane requests the way AWS does —
 *  - before the request reaches the service: DynamoDB 400 ThrottlingException / 500 InternalServerError,
 *    SQS 400 RequestThrottled / 500 InternalError (nothing happened; the SDK retries, then the caller copes);
 *  - after it took effect (writes only): the service did the write, the caller hears a 500 — the case that
 *    tests idempotency (a transaction committed twice? a message sent twice?).
 * Control-plane requests (CreateTable, CreateQueue, GetQueueUrl…) always pass: provisioning is not under test.
 */
import { Agent, createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Prng, streamSeed } from '../../../sandbox/domain/prng';

export type Service = 'dynamodb' | 'sqs';

export interface FaultRates {
  /** Share (0..1) of data-plane requests to fail. */
  readonly dynamodb: number;
  readonly sqs: number;
  /** Of the failed write requests, the share failed after the service applied them (0..1). */
  readonly afterWrite: number;
}

export interface InjectedCounts {
  requests: number;
  /** Refused before reaching the service (throttling or 5xx). */
  refused: number;
  /** Applied by the service, answered 500. */
  afterWrite: number;
}

export interface AwsFaultProxy {
  readonly dynamoEndpoint: string;
  readonly sqsEndpoint: string;
  setRates(rates: FaultRates): void;
  counts(): Readonly<Record<Service, InjectedCounts>>;
  stop(): Promise<void>;
}

export const NO_FAULTS: FaultRates = { dynamodb: 0, sqs: 0, afterWrite: 0 };

const DATA_PLANE: Readonly<Record<Service, ReadonlySet<string>>> = {
  dynamodb: new Set(['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'Query', 'Scan', 'BatchGetItem', 'BatchWriteItem', 'TransactWriteItems', 'TransactGetItems']),
  sqs: new Set(['SendMessage', 'SendMessageBatch', 'ReceiveMessage', 'DeleteMessage', 'DeleteMessageBatch', 'ChangeMessageVisibility', 'ChangeMessageVisibilityBatch']),
};
/**
 * Writes that may fail after taking effect. Not ReceiveMessage: a lost receive answer hides messages for a
 * visibility timeout and burns a receive count, which is the queue's accounting, not the kit's.
 */
const WRITES: Readonly<Record<Service, ReadonlySet<string>>> = {
  dynamodb: new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems']),
  sqs: new Set(['SendMessage', 'SendMessageBatch', 'DeleteMessage', 'DeleteMessageBatch']),
};

/** The error bodies AWS's JSON protocols use (`__type` is what the SDK classifies as throttling or transient). */
const ERRORS: Readonly<Record<Service, ReadonlyArray<{ status: number; type: string; message: string }>>> = {
  dynamodb: [
    { status: 400, type: 'com.amazonaws.dynamodb.v20120810#ThrottlingException', message: 'Rate of requests exceeds the allowed throughput (injected).' },
    { status: 500, type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message: 'Internal server error (injected).' },
  ],
  sqs: [
    { status: 400, type: 'com.amazonaws.sqs#RequestThrottled', message: 'Request is throttled (injected).' },
    { status: 500, type: 'com.amazonaws.sqs#InternalError', message: 'We encountered an internal error (injected).' },
  ],
};

function operationOf(req: IncomingMessage): string {
  const target = req.headers['x-amz-target'];
  return typeof target === 'string' ? (target.split('.').pop() ?? target) : '';
}

function answerError(res: ServerResponse, service: Service, pick: number): void {
  const list = ERRORS[service];
  const error = list[pick % list.length];
  const code = error.type.split('#').pop() ?? error.type;
  res.writeHead(error.status, {
    'content-type': 'application/x-amz-json-1.0',
    'x-amzn-errortype': code,
    ...(service === 'sqs' ? { 'x-amzn-query-error': `${code};Sender` } : {}),
  });
  res.end(JSON.stringify({ __type: error.type, message: error.message }));
}

export async function startAwsFaultProxy(targets: { dynamoEndpoint: string; sqsEndpoint: string }, seed = 13): Promise<AwsFaultProxy> {
  let rates: FaultRates = NO_FAULTS;
  const counts: Record<Service, InjectedCounts> = { dynamodb: { requests: 0, refused: 0, afterWrite: 0 }, sqs: { requests: 0, refused: 0, afterWrite: 0 } };
  const servers: Array<{ server: Server; agent: Agent }> = [];

  const start = async (service: Service, target: string): Promise<string> => {
    const upstream = new URL(target);
    const agent = new Agent({ keepAlive: true, maxSockets: 256 });
    const prng = new Prng(streamSeed(seed, service));
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const op = operationOf(req);
        const dataPlane = DATA_PLANE[service].has(op);
        if (dataPlane) counts[service].requests += 1;
        const fail = dataPlane && prng.next() < rates[service];
        const afterWrite = fail && WRITES[service].has(op) && prng.next() < rates.afterWrite;
        const pick = prng.int(1000);
        if (fail && !afterWrite) {
          counts[service].refused += 1;
          return answerError(res, service, pick);
        }
        const body = Buffer.concat(chunks);
        const out = httpRequest({ hostname: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host }, agent }, (answer) => {
          const back: Buffer[] = [];
          answer.on('data', (c: Buffer) => back.push(c));
          answer.on('end', () => {
            if (afterWrite && (answer.statusCode ?? 500) < 300) {
              counts[service].afterWrite += 1;
              // Always the 5xx: a throttling answer would tell the SDK nothing happened, which is false here.
              return answerError(res, service, 1);
            }
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            res.end(Buffer.concat(back));
          });
        });
        out.on('error', (error) => {
          if (!res.headersSent) res.writeHead(502);
          res.end(String(error));
        });
        out.end(body);
      });
    });
    server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push({ server, agent });
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  };

  const dynamoEndpoint = await start('dynamodb', targets.dynamoEndpoint);
  const sqsEndpoint = await start('sqs', targets.sqsEndpoint);
  return {
    dynamoEndpoint,
    sqsEndpoint,
    setRates: (next) => {
      rates = next;
    },
    counts: () => ({ dynamodb: { ...counts.dynamodb }, sqs: { ...counts.sqs } }),
    stop: async () => {
      for (const { server, agent } of servers) {
        agent.destroy();
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    },
  };
}
