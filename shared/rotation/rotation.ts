/**
 * Secrets Manager's four-step rotation protocol for secrets whose new value MONCRENEAU issues (the API key
 * in its dashboard, the webhook signing secret when it is rolled there): nothing is generated here.
 *
 * The operator stages the new value under our own label `STAGED` (npm run keys -- stage). Secrets Manager
 * then opens a version for the rotation (id = the request's token, label AWSPENDING, no value yet) and calls:
 *   createSecret  copy the staged value into that version (the webhook secret gets `previous` and its
 *                 window); nothing staged → fails loudly (`nothing_staged`: the "rotation due" alarm);
 *   setSecret     nothing to set on MONCRENEAU's side (the value came from its dashboard);
 *   testSecret    the API key must answer GET /departments; the webhook secret's shape is checked;
 *   finishSecret  AWSCURRENT moves to the token's version (Secrets Manager keeps the old one as AWSPREVIOUS).
 *
 * Pitfalls of the published templates, avoided: every step reads the pending value by version id AND label
 * (never "whatever carries AWSPENDING now", which a re-stage between steps would change), every write is
 * awaited before the step returns, and every step can run again (Secrets Manager retries) without a second
 * write. Returns an outcome; the composition root observes it and fails the invocation when it failed.
 */
import { LABELS, type KeyTester, type RotationStore, type SecretVersions } from './ports';
import { composePending, newValueOf, newValueProblems, pendingProblems, type RotatingSecret } from './values';

export const ROTATION_STEPS = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const;
export type RotationStep = (typeof ROTATION_STEPS)[number];

/** The event Secrets Manager sends to a rotation function. */
export interface RotationRequest {
  readonly Step: string;
  readonly SecretId: string;
  readonly ClientRequestToken: string;
}

export interface RotationDeps {
  readonly store: RotationStore;
  /** The secrets this function rotates: kind → ARN (from the wiring). Any other ARN is refused. */
  readonly secrets: Readonly<Partial<Record<RotatingSecret, string>>>;
  readonly testKey: KeyTester;
  /** How long the webhook secret's `previous` stays accepted after the switch. */
  readonly previousWindowMs: number;
  readonly now: () => number;
}

export type DoneResult = 'already_current' | 'pending_exists' | 'pending_written' | 'nothing_to_set' | 'tested' | 'promoted' | 'already_promoted';

export type FailureReason =
  | 'unknown_secret'
  | 'unknown_step'
  | 'rotation_disabled'
  | 'unknown_version'
  | 'not_pending'
  | 'nothing_staged'
  | 'invalid_staged'
  | 'no_current'
  | 'pending_missing'
  | 'invalid_pending'
  | 'key_refused'
  | 'test_unavailable';

export type RotationOutcome =
  | { readonly kind: 'done'; readonly secret: RotatingSecret; readonly step: RotationStep; readonly result: DoneResult }
  | { readonly kind: 'failed'; readonly secret?: RotatingSecret; readonly step: string; readonly reason: FailureReason; readonly message: string };

const versionWith = (meta: SecretVersions, label: string): string | undefined => Object.entries(meta.versions).find(([, labels]) => labels.includes(label))?.[0];

export function createRotation(deps: RotationDeps): (request: RotationRequest) => Promise<RotationOutcome> {
  const { store } = deps;

  return async ({ Step: step, SecretId: secretId, ClientRequestToken: token }) => {
    const secret = (Object.keys(deps.secrets) as RotatingSecret[]).find((k) => deps.secrets[k] === secretId);
    const failed = (reason: FailureReason, message: string): RotationOutcome => ({ kind: 'failed', ...(secret ? { secret } : {}), step, reason, message });
    if (!secret) return failed('unknown_secret', 'This function does not rotate that secret');
    if (!(ROTATION_STEPS as readonly string[]).includes(step)) return failed('unknown_step', `Unknown step "${step}"`);
    const done = (result: DoneResult): RotationOutcome => ({ kind: 'done', secret, step: step as RotationStep, result });

    const meta = await store.describe(secretId);
    if (!meta.rotationEnabled) return failed('rotation_disabled', 'Rotation is not enabled on the secret');
    const labels = meta.versions[token];
    if (!labels) return failed('unknown_version', 'The token names no version of the secret');
    if (labels.includes(LABELS.current)) {
      if (step !== 'finishSecret') return done('already_current');
      await cleanUp(meta, secretId, token, secret);
      return done('already_promoted');
    }
    if (!labels.includes(LABELS.pending)) return failed('not_pending', 'The token\'s version is not AWSPENDING (re-staged or cancelled meanwhile?)');

    /** The token's own pending value: by id and label, never "whatever carries AWSPENDING now". */
    const pending = () => store.value(secretId, { versionId: token, label: LABELS.pending });
    const current = () => store.value(secretId, { label: LABELS.current });

    switch (step as RotationStep) {
      case 'createSecret': {
        // A retry of this step: the value is there; writing again would change `previousUntil`.
        if ((await pending()) !== undefined) return done('pending_exists');
        const stagedVersion = versionWith(meta, LABELS.staged);
        const staged = stagedVersion ? await store.value(secretId, { versionId: stagedVersion, label: LABELS.staged }) : undefined;
        if (staged === undefined) return failed('nothing_staged', 'Rotation is due but no new value is staged (npm run keys -- stage)');
        const inUse = await current();
        if (inUse === undefined) return failed('no_current', 'The secret has no AWSCURRENT value');
        const problems = newValueProblems(secret, newValueOf(secret, staged), inUse);
        if (problems.length > 0) return failed('invalid_staged', `The staged value is refused: ${problems.join('; ')}`);
        const written = await store.putPending(secretId, token, composePending(secret, staged, inUse, deps.now(), deps.previousWindowMs));
        return done(written === 'written' ? 'pending_written' : 'pending_exists');
      }
      case 'setSecret':
        // The new value was issued by MONCRENEAU itself: there is nothing to set on its side.
        return (await pending()) === undefined ? failed('pending_missing', 'The pending version has no value') : done('nothing_to_set');
      case 'testSecret': {
        const value = await pending();
        if (value === undefined) return failed('pending_missing', 'The pending version has no value');
        const problems = pendingProblems(secret, value, await current(), deps.now());
        if (problems.length > 0) return failed('invalid_pending', `The pending value is refused: ${problems.join('; ')}`);
        // MONCRENEAU offers no way to check a signing secret; its shape and length were checked above.
        if (secret === 'webhookSecret') return done('tested');
        const result = await deps.testKey(newValueOf(secret, value)!);
        if (result.kind === 'accepted') return done('tested');
        if (result.kind === 'refused') return failed('key_refused', `MONCRENEAU refused the new key (${result.status} ${result.code}); it stays unpromoted`);
        return failed('test_unavailable', `The new key could not be tested (${result.reason}); rerun the rotation`);
      }
      case 'finishSecret': {
        const from = versionWith(meta, LABELS.current);
        await store.moveLabel(secretId, LABELS.current, { toVersionId: token, ...(from ? { fromVersionId: from } : {}) });
        await cleanUp(await store.describe(secretId), secretId, token, secret);
        return done('promoted');
      }
    }
  };

  /**
   * After promotion: AWSPENDING off the promoted version (a later RotateSecret would otherwise see a
   * rotation in progress) and STAGED off the staged version once its value is the one in use (so the next
   * scheduled rotation does not promote it again).
   */
  async function cleanUp(meta: SecretVersions, secretId: string, token: string, secret: RotatingSecret): Promise<void> {
    if (meta.versions[token]?.includes(LABELS.pending)) await store.moveLabel(secretId, LABELS.pending, { fromVersionId: token });
    const stagedVersion = versionWith(meta, LABELS.staged);
    if (!stagedVersion) return;
    const staged = await store.value(secretId, { versionId: stagedVersion, label: LABELS.staged });
    const promoted = await store.value(secretId, { versionId: token, label: LABELS.current });
    if (staged !== undefined && newValueOf(secret, staged) === newValueOf(secret, promoted)) {
      await store.moveLabel(secretId, LABELS.staged, { fromVersionId: stagedVersion });
    }
  }
}
