/**
 * One invocation with the Node.js Lambda runtime's semantics: async or callback-style handlers,
 * the legacy context.done/succeed/fail, the function timeout ("Task timed out after N seconds"),
 * and the result passed through JSON as Lambda serialises it (undefined → null, Dates → strings).
 */
import type { Context } from 'aws-lambda';
import { createLambdaContext, type ContextInit } from './lambda-context';

export type LambdaHandler = (event: unknown, context: Context, callback: (error?: unknown, result?: unknown) => void) => unknown;

export class LambdaTimeoutError extends Error {
  override name = 'Sandbox.Timedout';
}

export function runHandler(handler: LambdaHandler, event: unknown, init: ContextInit): Promise<unknown> {
  return new Promise<unknown>((resolve, reject) => {
    let settled = false;
    const settle = (error: unknown, result?: unknown): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error !== undefined && error !== null) return reject(asError(error));
      try {
        resolve(result === undefined ? null : (JSON.parse(JSON.stringify(result)) as unknown));
      } catch (serialisation) {
        reject(asError(serialisation));
      }
    };
    const timeoutMs = Math.max(0, init.deadlineMs - Date.now());
    const timer = setTimeout(() => settle(new LambdaTimeoutError(`Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds`)), timeoutMs);
    const context = createLambdaContext(init, settle);
    try {
      const returned = handler(event, context, settle);
      if (isPromiseLike(returned)) returned.then((r) => settle(undefined, r), (e: unknown) => settle(e ?? new Error('Handler rejected')));
      // A non-promise return from a 2-argument handler is its result (runtime behaviour).
      else if (handler.length < 3) settle(undefined, returned);
    } catch (error) {
      settle(error);
    }
  });
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

export function asError(value: unknown): Error {
  if (value instanceof Error) return value;
  return new Error(typeof value === 'string' ? value : JSON.stringify(value));
}
