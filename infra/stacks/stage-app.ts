/**
 * Adds one stage's stack to an App, with tags and the cdk-nag AwsSolutions checks. Shared by
 * infra/app.ts and the tests so the tests check exactly what `cdk synth` builds.
 */
import { Tags, Validations, type App } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { StageConfig } from '../config/stages';
import { MoncreneauStack } from './moncreneau-stack';

export function stackName(config: StageConfig): string {
  return `Moncreneau-${config.stage}`;
}

export function addStage(app: App, config: StageConfig): MoncreneauStack {
  const stack = new MoncreneauStack(app, stackName(config), {
    config,
    description: `MONCRENEAU appointment API go-live kit (${config.stage})`,
    // Undefined account = environment-agnostic for the account; synth stays offline without credentials.
    env: { account: config.account ?? process.env.CDK_DEFAULT_ACCOUNT, region: config.region },
    // Retained stages also refuse `cdk destroy` / a console delete of the whole stack.
    terminationProtection: config.retainData,
  });
  // Not on dashboards: cfn-lint 1.51's schema has no Tags there (E3002); a dashboard is named after its stage.
  const untagged = { excludeResourceTypes: ['AWS::CloudWatch::Dashboard'] };
  Tags.of(stack).add('project', 'moncreneau', untagged);
  Tags.of(stack).add('stage', config.stage, untagged);

  // cdk-nag 3 is a policy-validation plugin: synth fails on any unacknowledged finding, and
  // acknowledgements (with their reasons) are copied into the template Metadata for audit.
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { writeSuppressionsToCloudFormation: true }));
  return stack;
}
