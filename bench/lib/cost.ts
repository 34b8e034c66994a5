/**
 * List-price cost per million webhook events, from what a benchmark run measured per event. Prices are
 * dated constants for one region, eu-west-3 (Paris), on-demand, USD, without free tiers or savings plans:
 * re-check them on the pricing pages named below before quoting a figure.
 */
import { isReadOperation, type MeterSnapshot } from './aws-meter';

export const PRICES = {
  asOf: '2026-12-01',
  region: 'eu-west-3',
  /** aws.amazon.com/dynamodb/pricing/on-demand — Standard table class, after the Nov 2024 on-demand price cut (−50 %). */
  dynamoDbPerMillionWriteUnits: 0.7423,
  dynamoDbPerMillionReadUnits: 0.1485,
  /** aws.amazon.com/sqs/pricing — standard queue, first tier (each 64 KB chunk of a request is one request). */
  sqsPerMillionRequests: 0.4,
  /** aws.amazon.com/lambda/pricing — requests, and duration on Arm (Graviton, what the stack deploys). */
  lambdaPerMillionRequests: 0.2,
  lambdaPerGbSecondArm: 0.0000133334,
  /** aws.amazon.com/api-gateway/pricing — REST API, first 333 million requests a month. */
  apiGatewayRestPerMillion: 3.7,
} as const;

export interface FunctionUse {
  /** Invocations per webhook event (deliveries per event for the receiver, 1 / batch size for the processor). */
  readonly invocationsPerEvent: number;
  readonly memoryMb: number;
  /** Mean billed duration of one invocation (Lambda rounds up to the millisecond). */
  readonly durationMs: number;
}

export interface PerEvent {
  readonly dynamoRequests: number;
  readonly dynamoFailedRequests: number;
  readonly writeUnits: number;
  readonly readUnits: number;
  readonly sqsRequests: number;
  readonly lambdaInvocations: number;
  readonly apiRequests: number;
}

export interface CostPerMillion {
  readonly dynamodb: number;
  readonly sqs: number;
  readonly lambda: number;
  readonly apiGateway: number;
  readonly total: number;
}

/** Per applied event: DynamoDB requests and units (failed conditional writes priced at their 1 KB minimum), SQS requests carrying traffic. */
export function perEvent(meter: MeterSnapshot, applied: number, deliveries: number, functions: readonly FunctionUse[], options: { emptyReceives: boolean } = { emptyReceives: false }): PerEvent {
  let dynamoRequests = 0;
  let dynamoFailed = 0;
  let writeUnits = 0;
  let readUnits = 0;
  for (const [op, c] of Object.entries(meter.dynamodb)) {
    dynamoRequests += c.requests;
    dynamoFailed += c.failed;
    const failedUnits = c.failedItems * (op === 'TransactWriteItems' ? 2 : 1);
    if (isReadOperation(op)) readUnits += c.capacityUnits + failedUnits;
    else writeUnits += c.capacityUnits + failedUnits;
  }
  let sqsRequests = 0;
  for (const [op, c] of Object.entries(meter.sqs)) {
    // An empty long poll is the event source's idle cost (per poller, not per event): left out unless asked.
    sqsRequests += op === 'ReceiveMessage' && !options.emptyReceives ? meter.batches : c.requests;
  }
  return {
    dynamoRequests: dynamoRequests / applied,
    dynamoFailedRequests: dynamoFailed / applied,
    writeUnits: writeUnits / applied,
    readUnits: readUnits / applied,
    sqsRequests: sqsRequests / applied,
    lambdaInvocations: functions.reduce((sum, f) => sum + f.invocationsPerEvent, 0) * (deliveries / applied),
    apiRequests: deliveries / applied,
  };
}

export function costPerMillion(use: PerEvent, functions: readonly FunctionUse[], deliveriesPerEvent: number): CostPerMillion {
  const dynamodb = use.writeUnits * PRICES.dynamoDbPerMillionWriteUnits + use.readUnits * PRICES.dynamoDbPerMillionReadUnits;
  const sqs = use.sqsRequests * PRICES.sqsPerMillionRequests;
  const lambda = functions.reduce((sum, f) => {
    const invocations = f.invocationsPerEvent * deliveriesPerEvent;
    const gbSeconds = invocations * (f.memoryMb / 1024) * (Math.ceil(f.durationMs) / 1000);
    return sum + invocations * PRICES.lambdaPerMillionRequests + gbSeconds * 1_000_000 * PRICES.lambdaPerGbSecondArm;
  }, 0);
  const apiGateway = use.apiRequests * PRICES.apiGatewayRestPerMillion;
  return { dynamodb, sqs, lambda, apiGateway, total: dynamodb + sqs + lambda + apiGateway };
}
