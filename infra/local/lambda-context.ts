/**
 * A faithful fake of the Lambda `Context`: same fields and formats as the Node.js runtime, and a
 * `getRemainingTimeInMillis()` that counts down from the function's configured timeout, so
 * deadline-aware code (retry budgets) behaves locally as it will in Lambda.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';

/** The serialisable part of a context: enough to rebuild it in a worker thread. */
export interface ContextInit {
  readonly functionName: string;
  readonly memoryMb: number;
  readonly region: string;
  readonly accountId?: string;
  /** Epoch ms at which the invocation times out. */
  readonly deadlineMs: number;
  readonly awsRequestId?: string;
  readonly logStreamName?: string;
}

export const LOCAL_ACCOUNT_ID = '000000000000';

export function contextInit(options: { functionName: string; memoryMb: number; region: string; timeoutSeconds: number; now?: number }): ContextInit {
  return {
    functionName: options.functionName,
    memoryMb: options.memoryMb,
    region: options.region,
    deadlineMs: (options.now ?? Date.now()) + options.timeoutSeconds * 1000,
    awsRequestId: randomUUID(),
    logStreamName: logStreamName(),
  };
}

/** `2024/05/01/[$LATEST]<32 hex>` like the Node.js runtime's log streams. */
function logStreamName(now = new Date()): string {
  const d = now.toISOString().slice(0, 10).replace(/-/g, '/');
  return `${d}/[$LATEST]${randomBytes(16).toString('hex')}`;
}

/**
 * @param settle receives the legacy `done/succeed/fail` calls (routed to the invocation's result).
 */
export function createLambdaContext(init: ContextInit, settle?: (error: unknown, result?: unknown) => void): Context {
  const account = init.accountId ?? LOCAL_ACCOUNT_ID;
  const notify = (error: unknown, result?: unknown): void => settle?.(error, result);
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: init.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${init.region}:${account}:function:${init.functionName}`,
    memoryLimitInMB: String(init.memoryMb),
    awsRequestId: init.awsRequestId ?? randomUUID(),
    logGroupName: `/aws/lambda/${init.functionName}`,
    logStreamName: init.logStreamName ?? logStreamName(),
    getRemainingTimeInMillis: () => Math.max(0, init.deadlineMs - Date.now()),
    done: (error?: Error, result?: unknown) => notify(error, result),
    fail: (error: Error | string) => notify(typeof error === 'string' ? new Error(error) : error),
    succeed: (result: unknown) => notify(undefined, result),
  };
}
