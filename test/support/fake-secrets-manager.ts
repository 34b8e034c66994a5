/**
 * A stateful stand-in for one Secrets Manager secret (there is no emulator), over aws-sdk-client-mock:
 * versions with values and staging labels, the label rules the rotation relies on (a label is on one
 * version at a time; moving it off a version it is not on needs RemoveFromVersionId; AWSCURRENT's old
 * version becomes AWSPREVIOUS), and the placeholder version RotateSecret opens (AWSPENDING, no value).
 * Writes resolve after a delay, so a step that does not await its write is caught.
 */
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretVersionIdsCommand,
  PutSecretValueCommand,
  RotateSecretCommand,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { randomUUID } from 'node:crypto';

interface Version {
  value?: string;
  labels: Set<string>;
  created: Date;
}

const awsError = (name: string, message: string): Error => Object.assign(new Error(message), { name, $fault: 'client' });
const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class FakeSecret {
  readonly versions = new Map<string, Version>();
  rotationEnabled = true;
  /** Every GetSecretValue request, to check how the pending value was read. */
  readonly reads: Array<{ VersionId?: string; VersionStage?: string }> = [];
  puts = 0;

  constructor(
    readonly arn: string,
    currentValue: string,
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.versions.set(randomUUID(), { value: currentValue, labels: new Set(['AWSCURRENT']), created: clock() });
  }

  holder(label: string): string | undefined {
    return [...this.versions].find(([, v]) => v.labels.has(label))?.[0];
  }

  valueWith(label: string): string | undefined {
    const id = this.holder(label);
    return id ? this.versions.get(id)?.value : undefined;
  }

  /** What RotateSecret (or the schedule) does: a new version id carrying AWSPENDING, without a value. */
  openRotation(): string {
    const token = randomUUID();
    this.detach('AWSPENDING');
    this.versions.set(token, { labels: new Set(['AWSPENDING']), created: this.clock() });
    return token;
  }

  /** What the operator's `npm run keys -- stage` writes. */
  stage(value: string): string {
    const id = randomUUID();
    this.detach('STAGED');
    this.versions.set(id, { value, labels: new Set(['STAGED']), created: this.clock() });
    return id;
  }

  private detach(label: string): void {
    for (const v of this.versions.values()) v.labels.delete(label);
  }

  describe() {
    return { ARN: this.arn, RotationEnabled: this.rotationEnabled, VersionIdsToStages: Object.fromEntries([...this.versions].filter(([, v]) => v.labels.size > 0).map(([id, v]) => [id, [...v.labels]])) };
  }

  get(input: { VersionId?: string; VersionStage?: string }) {
    this.reads.push({ VersionId: input.VersionId, VersionStage: input.VersionStage });
    const id = input.VersionId ?? this.holder(input.VersionStage ?? 'AWSCURRENT');
    const version = id ? this.versions.get(id) : undefined;
    if (!version || (input.VersionStage && !version.labels.has(input.VersionStage)) || version.value === undefined) {
      throw awsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret value for staging label or version");
    }
    return { ARN: this.arn, VersionId: id, SecretString: version.value, VersionStages: [...version.labels] };
  }

  async put(input: { ClientRequestToken?: string; SecretString?: string; VersionStages?: string[] }) {
    await delay(20);
    this.puts++;
    const id = input.ClientRequestToken ?? randomUUID();
    const existing = this.versions.get(id);
    if (existing?.value !== undefined) {
      if (existing.value !== input.SecretString) throw awsError('ResourceExistsException', 'A resource with the ID you requested already exists.');
      return { ARN: this.arn, VersionId: id };
    }
    const labels = input.VersionStages ?? ['AWSCURRENT'];
    for (const label of labels) this.detach(label);
    this.versions.set(id, { value: input.SecretString, labels: new Set([...(existing?.labels ?? []), ...labels]), created: this.clock() });
    return { ARN: this.arn, VersionId: id };
  }

  async update(input: { VersionStage?: string; MoveToVersionId?: string; RemoveFromVersionId?: string }) {
    await delay(20);
    const label = input.VersionStage!;
    const holder = this.holder(label);
    if (input.MoveToVersionId) {
      if (!this.versions.has(input.MoveToVersionId)) throw awsError('ResourceNotFoundException', 'No such version');
      if (holder && holder !== input.MoveToVersionId && holder !== input.RemoveFromVersionId) {
        throw awsError('InvalidParameterException', `The parameter RemoveFromVersionId can't be empty. Staging label ${label} is currently attached to version ${holder}`);
      }
      if (holder && holder !== input.MoveToVersionId) {
        this.versions.get(holder)!.labels.delete(label);
        if (label === 'AWSCURRENT') {
          this.detach('AWSPREVIOUS');
          this.versions.get(holder)!.labels.add('AWSPREVIOUS');
        }
      }
      this.versions.get(input.MoveToVersionId)!.labels.add(label);
    } else {
      if (holder !== input.RemoveFromVersionId) throw awsError('InvalidParameterException', `${label} is not attached to that version`);
      this.versions.get(holder!)!.labels.delete(label);
    }
    return { ARN: this.arn };
  }

  list() {
    return { ARN: this.arn, Versions: [...this.versions].map(([id, v]) => ({ VersionId: id, VersionStages: [...v.labels], CreatedDate: v.created })) };
  }
}

/**
 * Routes every Secrets Manager call of every client to the fake secret its SecretId names (by ARN or by
 * name, the ARN's last part without its random suffix). RotateSecret opens a rotation and hands its token
 * to `rotation.onRotate` (a test runs the rotation function there); while AWSPENDING sits on a version that
 * is not AWSCURRENT it is refused, as Secrets Manager does.
 */
export function mockSecretsManager(...args: Array<FakeSecret | { onRotate: (secret: FakeSecret, token: string) => Promise<void> }>) {
  const secrets = args.filter((a): a is FakeSecret => a instanceof FakeSecret);
  const onRotate = args.find((a): a is { onRotate: (secret: FakeSecret, token: string) => Promise<void> } => !(a instanceof FakeSecret))?.onRotate;
  const sm = mockClient(SecretsManagerClient);
  const find = (id: string | undefined): FakeSecret => {
    const secret = secrets.find((s) => s.arn === id || s.arn.split(':').pop()?.replace(/-[A-Za-z0-9]{6}$/, '') === id);
    if (!secret) throw awsError('ResourceNotFoundException', 'Secrets Manager can\'t find the specified secret.');
    return secret;
  };
  sm.on(DescribeSecretCommand).callsFake((input) => find(input.SecretId).describe());
  sm.on(GetSecretValueCommand).callsFake((input) => find(input.SecretId).get(input));
  sm.on(PutSecretValueCommand).callsFake((input) => find(input.SecretId).put(input));
  sm.on(UpdateSecretVersionStageCommand).callsFake((input) => find(input.SecretId).update(input));
  sm.on(ListSecretVersionIdsCommand).callsFake((input) => find(input.SecretId).list());
  sm.on(RotateSecretCommand).callsFake(async (input) => {
    const secret = find(input.SecretId);
    const pending = secret.holder('AWSPENDING');
    if (pending && pending !== secret.holder('AWSCURRENT')) throw awsError('InvalidRequestException', "A previous rotation isn't complete. That rotation will be reattempted.");
    const token = secret.openRotation();
    // Secrets Manager invokes the function asynchronously; a failed step is the function's error, not RotateSecret's.
    await onRotate?.(secret, token).catch(() => undefined);
    return { ARN: secret.arn, VersionId: token };
  });
  return sm;
}
