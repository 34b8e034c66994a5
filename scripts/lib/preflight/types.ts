/**
 * The preflight's vocabulary. A check answers one question about a running stage (or the local stack)
 * with a status, the reason, and the fix; a checklist line is answered by checks, by the kit itself
 * (implemented and tested in this repository), or by a person.
 */
export type Status = 'pass' | 'fail' | 'warn' | 'skip';

export interface CheckResult {
  readonly status: Status;
  /** What was found (never a secret value). */
  readonly detail: string;
  /** What to do about a fail or a warn. */
  readonly fix?: string;
}

export const pass = (detail: string): CheckResult => ({ status: 'pass', detail });
export const fail = (detail: string, fix: string): CheckResult => ({ status: 'fail', detail, fix });
export const warn = (detail: string, fix: string): CheckResult => ({ status: 'warn', detail, fix });
/** Not applicable to this target (e.g. a deploy setting, checked with --stage). */
export const skip = (detail: string): CheckResult => ({ status: 'skip', detail });

/** How a checklist line is answered. */
export type Answer =
  /** Machine-checked now, on the target. */
  | { readonly check: CheckId }
  /** Built into the kit and proven by its tests; not re-checked at run time. */
  | { readonly kit: string; readonly proof: string }
  /** Only a person can confirm it: what to check. */
  | { readonly byHand: string };

export interface ChecklistLine {
  readonly text: string;
  readonly answers: readonly Answer[];
}

export interface ChecklistSection {
  readonly title: string;
  readonly lines: readonly ChecklistLine[];
}

export type CheckId =
  | 'stageConfig'
  | 'secretsReal'
  | 'webhookSecretLength'
  | 'repositoryScan'
  | 'moncreneauReachable'
  | 'moncreneauHttps'
  | 'webhookHttps'
  | 'webhookPublic'
  | 'webhookSignedAccepted'
  | 'webhookUnsignedRefused'
  | 'alarmsPresent'
  | 'alarmsQuiet'
  | 'onCallTargets'
  | 'testPage'
  | 'keyRotation'
  | 'creditsAboveThreshold'
  | 'dlqsEmpty'
  | 'pitr'
  | 'flagsReadable'
  | 'emergencyContact';

/** One line of the report. */
export interface LineReport {
  readonly section: string;
  readonly text: string;
  readonly status: Status | 'kit' | 'byHand';
  readonly results: ReadonlyArray<{ readonly check?: CheckId; readonly status: Status | 'kit' | 'byHand'; readonly detail: string; readonly fix?: string }>;
}

export interface PreflightReport {
  readonly target: string;
  readonly at: string;
  readonly lines: readonly LineReport[];
  /** Lines per status; `byHand` counts the lines with something a person must confirm, whatever their status. */
  readonly summary: Readonly<Record<Status | 'kit' | 'byHand', number>>;
  /** True when no machine-checked line failed. */
  readonly ok: boolean;
}
