/**
 * Test helper: builds one stage exactly like infra/app.ts (same addStage, same cdk.json context),
 * but with asset bundling skipped so template tests take seconds; `npm run synth` bundles for real.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { STAGES, type StageConfig, type StageName } from '../../infra/config/stages';
import type { MoncreneauStack } from '../../infra/stacks/moncreneau-stack';
import { addStage } from '../../infra/stacks/stage-app';

const CDK_JSON = path.resolve(__dirname, '..', '..', 'cdk.json');

export interface SynthesizedStage {
  readonly app: App;
  readonly stack: MoncreneauStack;
  readonly config: StageConfig;
  readonly template: Template;
}

export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(fs.readFileSync(CDK_JSON, 'utf8')) as { context?: Record<string, unknown> };
  return cdkJson.context ?? {};
}

/** The app and stack, not synthesized yet (extra context, e.g. to keep synth from throwing on findings). */
export function buildStage(stage: StageName, extraContext: Record<string, unknown> = {}): Omit<SynthesizedStage, 'template'> {
  const config = STAGES[stage];
  const app = new App({
    context: {
      ...cdkJsonContext(),
      stage,
      // `aws:cdk:bundling-stacks`: an empty list means "bundle no stack" (assets get a placeholder).
      [cxapi.BUNDLING_STACKS]: [],
      ...extraContext,
    },
  });
  return { app, stack: addStage(app, config), config };
}

export function synthStage(stage: StageName): SynthesizedStage {
  const built = buildStage(stage);
  return { ...built, template: Template.fromStack(built.stack) };
}
