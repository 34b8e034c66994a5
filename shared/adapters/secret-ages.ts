/**
 * The age of each secret's value in use: the creation date of its AWSCURRENT version
 * (ListSecretVersionIds, the only action the health monitor is granted on the secrets). A rotation writes
 * a new version, so this is the time since the last rotation, or since the operator last set the value.
 */
import { ListSecretVersionIdsCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SecretAge, SecretAges } from '../monitoring/ports';
import { secretsManagerClient } from './secrets-manager-client';

const DAY_MS = 86_400_000;

export class SecretsManagerAges implements SecretAges {
  constructor(
    /** Name (the metric's `secret` dimension) → ARN. */
    private readonly secrets: Readonly<Record<string, string>>,
    private readonly client: () => SecretsManagerClient = secretsManagerClient,
  ) {}

  async ages(now: Date): Promise<SecretAge[]> {
    const ages: SecretAge[] = [];
    for (const [secret, arn] of Object.entries(this.secrets)) {
      const created = await this.currentCreated(arn);
      if (created) ages.push({ secret, ageDays: Math.floor(((now.getTime() - created.getTime()) / DAY_MS) * 10) / 10 });
    }
    return ages;
  }

  private async currentCreated(arn: string): Promise<Date | undefined> {
    let token: string | undefined;
    do {
      const out = await this.client().send(new ListSecretVersionIdsCommand({ SecretId: arn, NextToken: token }));
      const current = out.Versions?.find((v) => v.VersionStages?.includes('AWSCURRENT'));
      if (current) return current.CreatedDate;
      token = out.NextToken;
    } while (token);
    return undefined;
  }
}
