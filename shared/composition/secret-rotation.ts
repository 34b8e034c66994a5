/**
 * secret-rotation: Secrets Manager → rotation logic (one function for both secrets: the secret ARN in the
 * event, checked against the wired ARNs, decides) → observer. A failed step throws, so that Secrets
 * Manager records the rotation as failed and leaves AWSCURRENT where it was.
 */
import { SecretsManagerRotationStore } from '../adapters/secret-rotation-store';
import { intEnv } from '../config/env';
import { FUNCTION_ENV } from '../config/function-env';
import { observeRotation } from '../observability/rotation-observer';
import { onMoncreneauRequest } from '../observability/moncreneau-observer';
import { departmentsKeyTester } from '../rotation/key-test';
import { createRotation, type RotationRequest } from '../rotation/rotation';
import { traceAwsClients } from './aws';
import { moncreneauClientFromEnv } from './moncreneau-client';

export type { RotationRequest };

const ENV = FUNCTION_ENV.secretRotation;
const HOUR_MS = 3_600_000;

export class RotationStepFailed extends Error {
  constructor(reason: string, message: string) {
    super(`${reason}: ${message}`);
    this.name = 'RotationStepFailed';
  }
}

export function composeSecretRotation(env: NodeJS.ProcessEnv = process.env, clock: { now: () => number } = { now: Date.now }): (event: RotationRequest) => Promise<void> {
  traceAwsClients();
  // Locally there is no Secrets Manager (no ARN): every request is then refused as an unknown secret.
  const secrets = {
    ...(env[ENV.apiKeySecretArn] ? { apiKey: env[ENV.apiKeySecretArn] } : {}),
    ...(env[ENV.webhookSecretArn] ? { webhookSecret: env[ENV.webhookSecretArn] } : {}),
  };
  // The candidate key only, no cache: one call per test (outside the global rate limiter: one request per rotation).
  const clientFor = (apiKey: string) => moncreneauClientFromEnv({ keySource: { get: async () => ({ apiKey }) }, cacheTtlMs: 0, retry: { maxAttempts: 2 }, onRequest: onMoncreneauRequest }, env);
  clientFor('').close(); // a wrong base URL or auth scheme fails at cold start, not in the middle of a rotation
  const rotate = createRotation({
    store: new SecretsManagerRotationStore(),
    secrets,
    testKey: departmentsKeyTester(clientFor),
    previousWindowMs: intEnv(ENV.webhookPreviousWindowHours, 72, env) * HOUR_MS,
    now: clock.now,
  });
  return async (event) => {
    const outcome = await rotate(event);
    observeRotation(outcome);
    if (outcome.kind === 'failed') throw new RotationStepFailed(outcome.reason, outcome.message);
  };
}
