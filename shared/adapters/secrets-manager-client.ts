/** The instance's Secrets Manager client (created once, reused while warm), in a module of its own so that a function that reads no secret does not load it. */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { announceClient, AWS_CLIENT_LIMITS } from './aws-client-limits';

let secretsManager: SecretsManagerClient | undefined;

export function secretsManagerClient(): SecretsManagerClient {
  secretsManager ??= announceClient(new SecretsManagerClient({ ...AWS_CLIENT_LIMITS }));
  return secretsManager;
}
