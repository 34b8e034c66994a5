/**
 * The operator's side of secret rotation (npm run keys), over a Secrets Manager client: stage a new value
 * under the STAGED label (never AWSPENDING directly: RotateSecret would take a foreign AWSPENDING version for
 * an unfinished rotation), start the rotation, wait for its outcome, show the state. Never prints a value.
 */
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretVersionIdsCommand,
  PutSecretValueCommand,
  RotateSecretCommand,
  UpdateSecretVersionStageCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { randomUUID } from 'node:crypto';
import { LABELS } from '../../shared/rotation/ports';
import { newValueProblems, stagedJson, type RotatingSecret } from '../../shared/rotation/values';

export interface VersionInfo {
  readonly id: string;
  readonly labels: readonly string[];
  readonly created?: Date;
}

export interface KeyStatus {
  readonly rotationEnabled: boolean;
  readonly rotationRule?: string;
  readonly lastRotated?: Date;
  readonly nextRotation?: Date;
  readonly versions: readonly VersionInfo[];
  readonly currentAgeDays?: number;
  readonly staged: boolean;
  /** AWSPENDING on a version that is not AWSCURRENT: a rotation running, or one that failed. */
  readonly pendingOpen: boolean;
  /** The webhook secret's `previousUntil` (the only field shown), when set. */
  readonly previousUntil?: string;
}

const DAY_MS = 86_400_000;

export async function versions(sm: SecretsManagerClient, secretId: string): Promise<VersionInfo[]> {
  const found: VersionInfo[] = [];
  let token: string | undefined;
  do {
    const out = await sm.send(new ListSecretVersionIdsCommand({ SecretId: secretId, NextToken: token }));
    for (const v of out.Versions ?? []) if (v.VersionId) found.push({ id: v.VersionId, labels: v.VersionStages ?? [], created: v.CreatedDate });
    token = out.NextToken;
  } while (token);
  return found;
}

export async function keyStatus(sm: SecretsManagerClient, secretId: string, secret: RotatingSecret, now: Date): Promise<KeyStatus> {
  const meta = await sm.send(new DescribeSecretCommand({ SecretId: secretId }));
  const all = await versions(sm, secretId);
  const current = all.find((v) => v.labels.includes(LABELS.current));
  let previousUntil: string | undefined;
  if (secret === 'webhookSecret') {
    const value = (await sm.send(new GetSecretValueCommand({ SecretId: secretId }))).SecretString;
    try {
      const until = (JSON.parse(value ?? '{}') as { previousUntil?: unknown }).previousUntil;
      if (typeof until === 'string' && until) previousUntil = until;
    } catch {
      // A malformed value is the SecretProblems alarm's business; the status shows the rest.
    }
  }
  return {
    rotationEnabled: meta.RotationEnabled === true,
    rotationRule: meta.RotationRules?.ScheduleExpression ?? (meta.RotationRules?.AutomaticallyAfterDays ? `${meta.RotationRules.AutomaticallyAfterDays} days` : undefined),
    lastRotated: meta.LastRotatedDate,
    nextRotation: meta.NextRotationDate,
    versions: all.filter((v) => v.labels.length > 0),
    currentAgeDays: current?.created ? Math.floor((now.getTime() - current.created.getTime()) / DAY_MS) : undefined,
    staged: all.some((v) => v.labels.includes(LABELS.staged)),
    pendingOpen: all.some((v) => v.labels.includes(LABELS.pending) && !v.labels.includes(LABELS.current)),
    ...(previousUntil ? { previousUntil } : {}),
  };
}

/** Stages `value` (refused when invalid: problems returned, nothing written). Returns the staged version id. */
export async function stageValue(sm: SecretsManagerClient, secretId: string, secret: RotatingSecret, value: string): Promise<{ versionId?: string; problems: string[] }> {
  const current = (await sm.send(new GetSecretValueCommand({ SecretId: secretId }))).SecretString;
  const problems = newValueProblems(secret, value, current);
  if (problems.length > 0) return { problems };
  const versionId = randomUUID();
  await sm.send(new PutSecretValueCommand({ SecretId: secretId, ClientRequestToken: versionId, SecretString: stagedJson(secret, value), VersionStages: [LABELS.staged] }));
  return { versionId, problems: [] };
}

/** Removes the STAGED label (a value staged by mistake). False when nothing was staged. */
export async function unstage(sm: SecretsManagerClient, secretId: string): Promise<boolean> {
  const staged = (await versions(sm, secretId)).find((v) => v.labels.includes(LABELS.staged));
  if (!staged) return false;
  await sm.send(new UpdateSecretVersionStageCommand({ SecretId: secretId, VersionStage: LABELS.staged, RemoveFromVersionId: staged.id }));
  return true;
}

/**
 * Starts a rotation now. A failed rotation leaves AWSPENDING on an empty version, and RotateSecret would
 * then retry that one; the label is taken off first so this rotation uses what is staged now.
 */
export async function startRotation(sm: SecretsManagerClient, secretId: string): Promise<{ clearedFailedPending: boolean; versionId?: string }> {
  const leftover = (await versions(sm, secretId)).find((v) => v.labels.includes(LABELS.pending) && !v.labels.includes(LABELS.current));
  if (leftover) await sm.send(new UpdateSecretVersionStageCommand({ SecretId: secretId, VersionStage: LABELS.pending, RemoveFromVersionId: leftover.id }));
  const out = await sm.send(new RotateSecretCommand({ SecretId: secretId, RotateImmediately: true }));
  return { clearedFailedPending: leftover !== undefined, versionId: out.VersionId };
}

/**
 * Waits until the rotation started as `versionId` is promoted (AWSCURRENT) or has clearly stopped
 * (AWSPENDING gone without promotion, or still open after `attempts` checks: it failed, see the function's logs).
 */
export async function waitForRotation(sm: SecretsManagerClient, secretId: string, versionId: string, options: { attempts?: number; sleep?: (ms: number) => Promise<void>; everyMs?: number } = {}): Promise<'promoted' | 'not_promoted'> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  for (let i = 0; i < (options.attempts ?? 30); i++) {
    const version = (await versions(sm, secretId)).find((v) => v.id === versionId);
    if (version?.labels.includes(LABELS.current)) return 'promoted';
    if (!version?.labels.includes(LABELS.pending)) return 'not_promoted';
    await sleep(options.everyMs ?? 2000);
  }
  return 'not_promoted';
}
