/**
 * What the rotation logic needs from the outside world: the secret's versions and their staging labels
 * (Secrets Manager in AWS, shared/adapters/secret-rotation-store.ts), and a way to try an API key
 * against MONCRENEAU. No AWS imports here.
 */

/** Staging labels the protocol uses. `STAGED` is ours: where the operator puts the new value (npm run keys -- stage). */
export const LABELS = { current: 'AWSCURRENT', pending: 'AWSPENDING', staged: 'STAGED' } as const;

export interface SecretVersions {
  readonly rotationEnabled: boolean;
  /** Version id → its staging labels (Secrets Manager's VersionIdsToStages). */
  readonly versions: Readonly<Record<string, readonly string[]>>;
}

export interface RotationStore {
  describe(secretId: string): Promise<SecretVersions>;
  /**
   * The value of one version, selected by id and label together, so a label moved meanwhile is never read
   * by mistake; `undefined` when that version has no value (Secrets Manager opened it, nobody wrote it).
   */
  value(secretId: string, select: { readonly versionId?: string; readonly label: string }): Promise<string | undefined>;
  /** Writes `value` as version `versionId` with the AWSPENDING label. Resolves once Secrets Manager has stored it. */
  putPending(secretId: string, versionId: string, value: string): Promise<'written' | 'already_exists'>;
  /** Moves `label` to `toVersionId` (from `fromVersionId`), or only removes it when `toVersionId` is undefined. */
  moveLabel(secretId: string, label: string, move: { readonly toVersionId?: string; readonly fromVersionId?: string }): Promise<void>;
}

/** What MONCRENEAU said when called with a candidate API key. */
export type KeyTestResult =
  | { readonly kind: 'accepted' }
  /** 401/403: the key does not work (revoked, mistyped, wrong environment). */
  | { readonly kind: 'refused'; readonly status: number; readonly code: string }
  /** Anything else (timeout, 5xx, 429): the key was not judged; the rotation fails and can be rerun. */
  | { readonly kind: 'unavailable'; readonly reason: string };

/** Calls MONCRENEAU (GET /departments) with `apiKey` only. */
export type KeyTester = (apiKey: string) => Promise<KeyTestResult>;
