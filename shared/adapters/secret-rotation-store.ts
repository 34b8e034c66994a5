/**
 * The rotation's view of Secrets Manager: versions and labels (DescribeSecret), one version's value
 * (GetSecretValue by id and label), the pending write (PutSecretValue, awaited) and label moves
 * (UpdateSecretVersionStage). Exactly the four actions the rotation function is granted.
 */
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  UpdateSecretVersionStageCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { LABELS, type RotationStore, type SecretVersions } from '../rotation/ports';
import { secretsManagerClient } from './secrets-manager-client';

const nameOf = (error: unknown): string | undefined => (error as { name?: string } | undefined)?.name;

export class SecretsManagerRotationStore implements RotationStore {
  constructor(private readonly client: SecretsManagerClient = secretsManagerClient()) {}

  async describe(secretId: string): Promise<SecretVersions> {
    const out = await this.client.send(new DescribeSecretCommand({ SecretId: secretId }));
    return { rotationEnabled: out.RotationEnabled === true, versions: out.VersionIdsToStages ?? {} };
  }

  async value(secretId: string, select: { versionId?: string; label: string }): Promise<string | undefined> {
    try {
      const out = await this.client.send(new GetSecretValueCommand({ SecretId: secretId, VersionStage: select.label, ...(select.versionId ? { VersionId: select.versionId } : {}) }));
      return out.SecretString;
    } catch (error) {
      // The version Secrets Manager opened for a rotation has no value until createSecret writes one.
      if (nameOf(error) === 'ResourceNotFoundException') return undefined;
      throw error;
    }
  }

  async putPending(secretId: string, versionId: string, value: string): Promise<'written' | 'already_exists'> {
    try {
      await this.client.send(new PutSecretValueCommand({ SecretId: secretId, ClientRequestToken: versionId, SecretString: value, VersionStages: [LABELS.pending] }));
      return 'written';
    } catch (error) {
      // A concurrent retry of createSecret wrote this version first (with its own previousUntil): keep that one.
      if (nameOf(error) === 'ResourceExistsException') return 'already_exists';
      throw error;
    }
  }

  async moveLabel(secretId: string, label: string, move: { toVersionId?: string; fromVersionId?: string }): Promise<void> {
    await this.client.send(
      new UpdateSecretVersionStageCommand({
        SecretId: secretId,
        VersionStage: label,
        ...(move.toVersionId ? { MoveToVersionId: move.toVersionId } : {}),
        ...(move.fromVersionId ? { RemoveFromVersionId: move.fromVersionId } : {}),
      }),
    );
  }
}
