import type { StageProbe } from '../probe';
import type { CheckResult } from '../types';

export interface CheckContext {
  readonly probe: StageProbe;
  /** The repository to scan for keys (its working tree and git history). */
  readonly repoRoot: string;
  /** `--page --reason "…"`: send a test page (opt-in: it wakes someone up). */
  readonly testPageReason?: string;
  /** How long to wait for the signed test event to be processed. */
  readonly processedWithinMs: number;
  readonly now: () => Date;
}

export type Check = (context: CheckContext) => Promise<CheckResult>;
