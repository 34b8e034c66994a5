/**
 * The secrets hold real values of the right shape, and rotate. Values are read to be judged and
 * never printed: results name fields and lengths only.
 */
import type { SecretKey } from '../../../../infra/wiring';
import { fail, pass, skip, warn, type CheckResult } from '../types';
import type { Check, CheckContext } from './context';

/** MONCRENEAU keys are `mk_` + letters and digits (docs/moncreneau-api.md §2.2); the deploy-time placeholder is 48 random letters and digits. */
const API_KEY_SHAPE = /^mk_[A-Za-z0-9_]+$/;
const WEBHOOK_PREFIX = 'whsec_';
/** Checklist §2: 32+ random characters (the `whsec_` prefix is not random, so it does not count). */
export const MIN_WEBHOOK_SECRET_CHARS = 32;
/** Checklist §1: rotate at least every six months; warn a month before. */
export const MAX_KEY_AGE_DAYS = 180;
export const WARN_KEY_AGE_DAYS = 150;

const SET_IT = 'set the real value (docs/deploy.md#secrets, or `npm run keys -- stage --secret apiKey|webhookSecret --stage S`)';

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

export const secretsReal: Check = async ({ probe }) => {
  const problems: string[] = [];
  const warnings: string[] = [];
  const apiKey = text((await probe.secret('apiKey')).apiKey);
  const webhook = text((await probe.secret('webhookSecret')).current);
  for (const key of ['apiKey', 'webhookSecret'] as const) {
    if ((await probe.secretHistory(key))?.neverSet) problems.push(`${key} still holds the value generated at deploy time`);
  }
  if (!apiKey) problems.push('apiKey: the "apiKey" field is empty');
  else if (!API_KEY_SHAPE.test(apiKey)) problems.push(`apiKey: not a MONCRENEAU key (expected mk_…, got ${apiKey.length} characters of another shape: the generated placeholder?)`);
  if (!webhook) problems.push('webhookSecret: the "current" field is empty');
  else if (!webhook.startsWith(WEBHOOK_PREFIX)) warnings.push('webhookSecret: "current" does not start with whsec_ like dashboard secrets do');
  if (problems.length) return fail(problems.join('; '), SET_IT);
  if (warnings.length) return warn(warnings.join('; '), 'check it is the signing secret copied from the MONCRENEAU dashboard');
  const whose = probe.kind === 'local' ? 'the local sandbox\'s test values' : 'set by an operator';
  return pass(`apiKey mk_… (${apiKey.length} chars) and webhook secret whsec_…: ${whose}`);
};

export const webhookSecretLength: Check = async ({ probe }) => {
  const fields = await probe.secret('webhookSecret');
  const short = (['current', 'previous'] as const)
    .map((field) => ({ field, value: text(fields[field]) }))
    .filter(({ value }) => value !== '')
    .map(({ field, value }) => ({ field, random: value.startsWith(WEBHOOK_PREFIX) ? value.length - WEBHOOK_PREFIX.length : value.length }))
    .filter(({ random }) => random < MIN_WEBHOOK_SECRET_CHARS);
  if (!text(fields.current)) return fail('no current webhook secret', SET_IT);
  if (short.length) {
    return fail(short.map(({ field, random }) => `${field}: ${random} characters after the prefix`).join('; '), `generate a secret of ${MIN_WEBHOOK_SECRET_CHARS}+ random characters in the MONCRENEAU dashboard and rotate to it (docs/rotation.md)`);
  }
  return pass(`current secret has ${MIN_WEBHOOK_SECRET_CHARS}+ characters after whsec_${text(fields.previous) ? ' (previous too)' : ''}`);
};

async function rotationOf(context: CheckContext, key: SecretKey): Promise<CheckResult | undefined> {
  const history = await context.probe.secretHistory(key);
  if (!history) return undefined;
  if (!history.rotationEnabled || history.rotationDays === undefined) return fail(`${key}: no rotation schedule`, 'deploy the stage: the stack sets a rotation schedule on each secret (docs/rotation.md)');
  if (history.rotationDays > MAX_KEY_AGE_DAYS) return fail(`${key}: rotation every ${history.rotationDays} days`, `at most every ${MAX_KEY_AGE_DAYS} days (checklist §1)`);
  const age = history.lastChanged ? Math.floor((context.now().getTime() - history.lastChanged.getTime()) / 86_400_000) : undefined;
  if (age !== undefined && age > MAX_KEY_AGE_DAYS) return fail(`${key}: ${age} days old`, 'rotate it now (docs/rotation.md)');
  if (age !== undefined && age > WARN_KEY_AGE_DAYS) return warn(`${key}: ${age} days old, rotation due within ${MAX_KEY_AGE_DAYS - age} days`, 'plan the rotation (docs/rotation.md)');
  return pass(`${key}: rotates every ${history.rotationDays} days, ${age ?? '?'} days old`);
}

export const keyRotation: Check = async (context) => {
  const results = [await rotationOf(context, 'apiKey'), await rotationOf(context, 'webhookSecret')];
  if (results.some((r) => r === undefined)) return skip('local: secrets come from .env; rotation schedules exist on a deployed stage');
  const worst = results.find((r) => r?.status === 'fail') ?? results.find((r) => r?.status === 'warn');
  if (worst) return { ...worst, detail: results.map((r) => r!.detail).join('; ') };
  return pass(results.map((r) => r!.detail).join('; '));
};
