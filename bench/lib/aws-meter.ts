/**
 * Counts what goes on the wire to the emulators — per DynamoDB and SQS operation: requests, failed
 * requests, and (DynamoDB) the capacity units they consumed — without touching the code under test: a
 * pass-through HTTP proxy in front of each emulator, which the functions' SDK clients reach through
 * AWS_ENDPOINT_URL_*. It adds `ReturnConsumedCapacity: TOTAL` to DynamoDB data-plane requests that did not
 * ask for it and sums the `ConsumedCapacity` of the answers. SDK retries are counted (they are billed too).
 *
 * Single-item operations keep DynamoDB Local's own figure (by item size, as AWS bills them). A transaction's
 * figure from DynamoDB Local does not follow AWS's rule, so it is computed from the request instead: each
 * item 2 units per started KB ("a transactional write requires two write request units"), an item's size
 * estimated from what the request writes (a Put's item; an Update's key and values — exact for the updates
 * the kit makes, which write whole rows or a small counter). Global secondary index writes are not counted.
 * A refused conditional write or a cancelled transaction reports no capacity; they are counted apart
 * (`failed`) and priced by the cost model at the 1 KB minimum.
 */
import { Agent, createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface OperationCount {
  requests: number;
  failed: number;
  /** Read or write units as AWS bills them (transactions doubled); 0 for SQS. */
  capacityUnits: number;
  /** Items written by failed transactions / conditional writes (for their minimum price). */
  failedItems: number;
}

export interface MeterSnapshot {
  readonly dynamodb: Readonly<Record<string, OperationCount>>;
  readonly sqs: Readonly<Record<string, OperationCount>>;
  /** ReceiveMessage answers that carried messages (= Lambda invocations of the consumer), and the messages. */
  readonly batches: number;
  readonly messagesReceived: number;
}

export interface AwsMeter {
  readonly dynamoEndpoint: string;
  readonly sqsEndpoint: string;
  snapshot(): MeterSnapshot;
  reset(): void;
  stop(): Promise<void>;
}

const DYNAMO_DATA_OPS = new Set(['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'Query', 'Scan', 'BatchGetItem', 'BatchWriteItem', 'TransactWriteItems', 'TransactGetItems']);
const READ_OPS = new Set(['GetItem', 'Query', 'Scan', 'BatchGetItem', 'TransactGetItems']);

/** Whether an operation's capacity is read (RRU) or write (WRU) capacity. */
export function isReadOperation(op: string): boolean {
  return READ_OPS.has(op);
}

function operationOf(req: IncomingMessage): string {
  const target = req.headers['x-amz-target'];
  if (typeof target === 'string') return target.split('.').pop() ?? target;
  return 'query-protocol';
}

function sumCapacity(consumed: unknown): number {
  const list = Array.isArray(consumed) ? consumed : consumed ? [consumed] : [];
  return list.reduce((sum: number, c: { CapacityUnits?: number }) => sum + Number(c?.CapacityUnits ?? 0), 0);
}

/** DynamoDB's size of an attribute value in its wire format (names and values in UTF-8 bytes; numbers ~ digits / 2 + 1). */
function valueBytes(value: unknown): number {
  const v = value as Record<string, unknown>;
  if (!v || typeof v !== 'object') return 0;
  if (typeof v.S === 'string') return Buffer.byteLength(v.S);
  if (typeof v.N === 'string') return Math.ceil(v.N.length / 2) + 1;
  if (typeof v.B === 'string') return Math.ceil((v.B.length * 3) / 4);
  if ('BOOL' in v || 'NULL' in v) return 1;
  if (Array.isArray(v.SS)) return (v.SS as string[]).reduce((n, x) => n + Buffer.byteLength(x), 0);
  if (Array.isArray(v.NS)) return (v.NS as string[]).reduce((n, x) => n + Math.ceil(x.length / 2) + 1, 0);
  if (Array.isArray(v.L)) return 3 + (v.L as unknown[]).reduce((n: number, x) => n + 1 + valueBytes(x), 0);
  if (v.M && typeof v.M === 'object') return 3 + itemBytes(v.M as Record<string, unknown>) + Object.keys(v.M).length;
  return 0;
}

function itemBytes(item: Record<string, unknown> | undefined): number {
  return Object.entries(item ?? {}).reduce((n, [name, value]) => n + Buffer.byteLength(name) + valueBytes(value), 0);
}

/** What AWS bills a TransactWriteItems: 2 units per started KB of each item (see the header). */
function transactionUnits(body: Record<string, unknown> | undefined): number {
  const items = (body?.TransactItems as Array<Record<string, Record<string, unknown>>> | undefined) ?? [];
  return items.reduce((units, entry) => {
    const put = entry.Put;
    const update = entry.Update;
    const bytes = put ? itemBytes(put.Item as Record<string, unknown>) : update ? itemBytes(update.Key as Record<string, unknown>) + itemBytes(update.ExpressionAttributeValues as Record<string, unknown>) : 0;
    return units + 2 * Math.max(1, Math.ceil(bytes / 1024));
  }, 0);
}

function itemsIn(op: string, body: Record<string, unknown> | undefined): number {
  if (!body) return 1;
  if (op === 'TransactWriteItems') return Array.isArray(body.TransactItems) ? body.TransactItems.length : 1;
  return 1;
}

async function proxy(target: string, service: 'dynamodb' | 'sqs', counts: () => MeterState): Promise<{ server: Server; url: string; agent: Agent }> {
  const upstream = new URL(target);
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const op = operationOf(req);
      let payload = Buffer.concat(chunks);
      let parsed: Record<string, unknown> | undefined;
      if (service === 'dynamodb' && DYNAMO_DATA_OPS.has(op)) {
        try {
          parsed = JSON.parse(payload.toString('utf8')) as Record<string, unknown>;
          if (!parsed.ReturnConsumedCapacity || parsed.ReturnConsumedCapacity === 'NONE') {
            parsed.ReturnConsumedCapacity = 'TOTAL';
            payload = Buffer.from(JSON.stringify(parsed));
          }
        } catch {
          parsed = undefined;
        }
      }
      const headers = { ...req.headers, host: upstream.host, 'content-length': String(payload.length) };
      const out = httpRequest({ hostname: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers, agent }, (answer) => {
        const back: Buffer[] = [];
        answer.on('data', (c: Buffer) => back.push(c));
        answer.on('end', () => {
          const text = Buffer.concat(back);
          record(counts(), service, op, answer.statusCode ?? 0, text, parsed);
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          res.end(text);
        });
      });
      out.on('error', (error) => {
        res.writeHead(502).end(String(error));
      });
      out.end(payload);
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, agent };
}

interface MeterState {
  dynamodb: Record<string, OperationCount>;
  sqs: Record<string, OperationCount>;
  batches: number;
  messagesReceived: number;
}

function fresh(): MeterState {
  return { dynamodb: {}, sqs: {}, batches: 0, messagesReceived: 0 };
}

function record(state: MeterState, service: 'dynamodb' | 'sqs', op: string, status: number, body: Buffer, request: Record<string, unknown> | undefined): void {
  if (service === 'dynamodb' && !DYNAMO_DATA_OPS.has(op)) return; // CreateTable, DescribeTable…: provisioning, not traffic
  const entry = (state[service][op] ??= { requests: 0, failed: 0, capacityUnits: 0, failedItems: 0 });
  entry.requests += 1;
  if (status >= 300) {
    entry.failed += 1;
    entry.failedItems += itemsIn(op, request);
    return;
  }
  if (service === 'dynamodb') {
    try {
      const answer = JSON.parse(body.toString('utf8')) as { ConsumedCapacity?: unknown };
      entry.capacityUnits += op === 'TransactWriteItems' ? transactionUnits(request) : sumCapacity(answer.ConsumedCapacity);
    } catch {
      // no capacity to add
    }
    return;
  }
  if (op === 'ReceiveMessage') {
    try {
      const n = ((JSON.parse(body.toString('utf8')) as { Messages?: unknown[] }).Messages ?? []).length;
      if (n > 0) {
        state.batches += 1;
        state.messagesReceived += n;
      }
    } catch {
      // a non-JSON answer carries no batch we can count
    }
  }
}

export async function startAwsMeter(targets: { dynamoEndpoint: string; sqsEndpoint: string }): Promise<AwsMeter> {
  let state = fresh();
  const dynamo = await proxy(targets.dynamoEndpoint, 'dynamodb', () => state);
  const sqs = await proxy(targets.sqsEndpoint, 'sqs', () => state);
  const copy = (counts: Record<string, OperationCount>) => Object.fromEntries(Object.entries(counts).map(([k, v]) => [k, { ...v }]));
  return {
    dynamoEndpoint: dynamo.url,
    sqsEndpoint: sqs.url,
    snapshot: () => ({ dynamodb: copy(state.dynamodb), sqs: copy(state.sqs), batches: state.batches, messagesReceived: state.messagesReceived }),
    reset: () => {
      state = fresh();
    },
    stop: async () => {
      for (const p of [dynamo, sqs]) {
        p.agent.destroy();
        p.server.closeAllConnections();
        await new Promise<void>((resolve) => p.server.close(() => resolve()));
      }
    },
  };
}
