/** Helpers for the local-runtime integration tests (emulators come from the jest global setup). */
import { randomBytes } from 'node:crypto';
import { LOCAL_REGION, type Emulators } from '../../infra/local/emulators';

/** The emulators started by the global setup, as an `Emulators` the tests must not stop. */
export function emulatorsFromEnv(): Emulators {
  const dynamoEndpoint = process.env.AWS_ENDPOINT_URL_DYNAMODB;
  const sqsEndpoint = process.env.AWS_ENDPOINT_URL_SQS;
  if (!dynamoEndpoint || !sqsEndpoint) throw new Error('AWS_ENDPOINT_URL_DYNAMODB / _SQS not set: run through jest (global setup starts the emulators)');
  return { dynamoEndpoint, sqsEndpoint, region: process.env.AWS_REGION ?? LOCAL_REGION, stop: async () => undefined };
}

/** A name prefix unique to this run and file, so files sharing the emulators never collide. */
export function uniquePrefix(label: string): string {
  return `t${randomBytes(3).toString('hex')}-${label}-`;
}

/** Polls `check` until it returns a value (not undefined/false) or the deadline passes. */
export async function eventually<T>(check: () => Promise<T | undefined | false> | T | undefined | false, what: string, timeoutMs = 30_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`Timed out waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
}
