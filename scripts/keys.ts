/**
 * Rotation of the MONCRENEAU API key and webhook signing secret of a deployed stage (docs/rotation.md).
 *
 *   npm run keys -- status --stage prod
 *   npm run keys -- stage --secret apiKey --stage prod --reason "yearly rotation"          # new key on stdin
 *   npm run keys -- stage --secret webhookSecret --stage prod --reason "secret rolled in the dashboard"
 *   npm run keys -- stage --secret apiKey --stage prod --reason "…" --defer                # the schedule promotes it
 *   npm run keys -- rotate --secret apiKey --stage prod --reason "retry after MONCRENEAU outage"
 *   npm run keys -- unstage --secret apiKey --stage prod --reason "staged the wrong key"
 *
 * The new value is read from stdin (piped, or typed at a hidden prompt), never from argv or a file.
 * `stage` checks it (the webhook secret: ≥ 32 characters), stores it under the STAGED label, and starts the
 * rotation: the rotation function tests it (the API key: GET /departments with it) and promotes it, or
 * refuses it and the value in use stays. Locally there is no Secrets Manager: see `npm run keys` without --stage.
 */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import path from 'node:path';
import { stageConfig } from '../infra/config/stages';
import { loadLocalEnv } from '../infra/local/local-env';
import { physicalName, wiring, type SecretKey } from '../infra/wiring';
import { API_KEY_LOCAL_ENV, WEBHOOK_SECRET_LOCAL_ENV } from '../shared/config/local-secrets';
import { MIN_WEBHOOK_SECRET_LENGTH } from '../shared/webhooks/secret-check';
import { fail, parseArgs } from './lib/args';
import { keyStatus, stageValue, startRotation, unstage, waitForRotation } from './lib/keys';
import { readSecretFromStdin } from './lib/secret-input';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const SECRETS: readonly SecretKey[] = ['apiKey', 'webhookSecret'];

function local(): void {
  // What `npm start` gives the functions: .env, then .env.example defaults.
  const env = { ...process.env };
  loadLocalEnv(path.resolve(__dirname, '..'), env);
  console.log('local: there is no Secrets Manager locally, so nothing to stage or rotate here.');
  console.log('  The functions read their secrets from .env (restart `npm start` after a change):');
  for (const [field, name] of Object.entries({ ...API_KEY_LOCAL_ENV, ...WEBHOOK_SECRET_LOCAL_ENV })) {
    const value = env[name];
    const note = value ? `set (${value.length} characters${field !== 'apiKey' && value.length < MIN_WEBHOOK_SECRET_LENGTH ? `, SHORTER than ${MIN_WEBHOOK_SECRET_LENGTH}` : ''})` : 'unset';
    console.log(`    ${name.padEnd(36)} ${note}`);
  }
  console.log('  A previous webhook secret is accepted locally without a window (the window is written by a rotation).');
  console.log('  `npm run keys -- <status|stage|rotate|unstage> --stage dev|staging|prod` acts on a deployed stage.');
}

async function main(): Promise<void> {
  const { positional, options } = parseArgs(process.argv.slice(2));
  const [command = 'status'] = positional;
  const stage = typeof options.stage === 'string' ? options.stage : undefined;
  if (!stage) {
    local();
    if (command !== 'status') process.exit(1);
    return;
  }
  const config = stageConfig(stage);
  const w = wiring(config);
  const sm = new SecretsManagerClient({ region: process.env.AWS_REGION ?? config.region });
  const idOf = (key: SecretKey) => physicalName(w, w.secrets[key].name);

  if (command === 'status') {
    for (const key of SECRETS) {
      const s = await keyStatus(sm, idOf(key), key, new Date());
      console.log(`${idOf(key)} (${key})`);
      console.log(`  rotation ${s.rotationEnabled ? `on, ${s.rotationRule ?? '?'}` : 'OFF'}; last ${s.lastRotated?.toISOString() ?? 'never'}; next ${s.nextRotation?.toISOString() ?? '—'}`);
      console.log(`  value in use: ${s.currentAgeDays ?? '?'} days old (alarm above ${config.alarms.secretAgeDays}; checklist: 180)`);
      if (s.previousUntil) console.log(`  previous webhook secret accepted until ${s.previousUntil}`);
      console.log(`  staged: ${s.staged ? 'yes (the next rotation promotes it)' : 'no'}${s.pendingOpen ? '; AWSPENDING open (a rotation running, or a failed one: see RotationFailed / RotationDue)' : ''}`);
      for (const v of s.versions) console.log(`    ${v.id}  ${v.labels.join(',').padEnd(24)} ${v.created?.toISOString() ?? ''}`);
    }
    return;
  }

  const key = options.secret;
  if (typeof key !== 'string' || !SECRETS.includes(key as SecretKey)) fail(`--secret ${SECRETS.join('|')} is required`);
  const secret = key as SecretKey;
  const reason = typeof options.reason === 'string' ? options.reason.trim() : '';
  if (!reason) fail(`${command} changes ${idOf(secret)}: --reason "…" is required`);
  const rotateNow = async (): Promise<void> => {
    const started = await startRotation(sm, idOf(secret));
    if (started.clearedFailedPending) console.log('  cleared the AWSPENDING label a failed rotation had left');
    console.log(`  rotation started (version ${started.versionId ?? '?'}); waiting for the rotation function…`);
    const outcome = started.versionId ? await waitForRotation(sm, idOf(secret), started.versionId) : 'not_promoted';
    if (outcome === 'promoted') {
      console.log(`  PROMOTED: the new value is AWSCURRENT. Running functions pick it up within their cache TTL (5 min), at once after a 401.`);
      if (secret === 'apiKey') console.log('  Revoke the old key in the MONCRENEAU dashboard after the wait in docs/rotation.md (≥ 70 minutes), once 401s are at 0.');
      else console.log(`  The previous secret stays accepted for ${config.secrets.previousWebhookSecretHours} h; watch WebhookSecretMatched{secret=previous} fall to 0.`);
      return;
    }
    console.log('  NOT promoted: the value in use is unchanged. See the secret-rotation function logs (RotationFailed / RotationDue alarms).');
    process.exitCode = 1;
  };

  console.log(`stage ${stage}: ${command} ${idOf(secret)} — reason: ${reason}`);
  if (command === 'stage') {
    const value = await readSecretFromStdin(`New ${secret === 'apiKey' ? 'MONCRENEAU API key' : 'webhook signing secret'} for ${stage}`);
    const { versionId, problems } = await stageValue(sm, idOf(secret), secret, value);
    if (!versionId) fail(`refused, nothing staged: ${problems.join('; ')}`);
    console.log(`  staged as version ${versionId} (label STAGED)`);
    if (options.defer) {
      console.log('  deferred: the next scheduled rotation tests and promotes it (`npm run keys -- status`).');
      return;
    }
    await rotateNow();
    return;
  }
  if (command === 'rotate') return rotateNow();
  if (command === 'unstage') {
    console.log((await unstage(sm, idOf(secret))) ? '  STAGED label removed: nothing is staged.' : '  nothing was staged.');
    return;
  }
  fail(`unknown command "${command}"; use status | stage | rotate | unstage`);
}

main().catch((error: unknown) => fail((error as Error).message));
