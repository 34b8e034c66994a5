/** Every check by id: the checklist (checklist.ts) refers to them by these names. */
import type { CheckId } from '../types';
import { emergencyContact, onCallTargets, stageConfig } from './configuration';
import type { Check } from './context';
import { moncreneauHttps, moncreneauReachable } from './moncreneau';
import { alarmsPresent, alarmsQuiet, creditsAboveThreshold, dlqsEmpty, flagsReadable, pitr, testPage } from './operations';
import { repositoryScan } from './repository-scan';
import { keyRotation, secretsReal, webhookSecretLength } from './secrets';
import { webhookHttps, webhookPublic, webhookSignedAccepted, webhookUnsignedRefused } from './webhooks';

export const CHECKS: Readonly<Record<CheckId, Check>> = {
  stageConfig,
  secretsReal,
  webhookSecretLength,
  repositoryScan,
  moncreneauReachable,
  moncreneauHttps,
  webhookHttps,
  webhookPublic,
  webhookSignedAccepted,
  webhookUnsignedRefused,
  alarmsPresent,
  alarmsQuiet,
  onCallTargets,
  testPage,
  keyRotation,
  creditsAboveThreshold,
  dlqsEmpty,
  pitr,
  flagsReadable,
  emergencyContact,
};
