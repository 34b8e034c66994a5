/**
 * cdk-nag AwsSolutions for every stage: no unacknowledged error or warning, and every
 * acknowledgement carries a specific reason.
 *
 * cdk-nag 3 is a CDK policy-validation plugin (Validations.of(app).addPlugins), not an Aspect:
 * findings do not become stack Annotations any more, they land in the cloud assembly's
 * validation report and make `app.synth()` throw. So we check three things: the real synth does
 * not throw, the report is empty, and the pack run directly (validateScope) finds nothing.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { AwsSolutionsChecks } from 'cdk-nag';
import { STAGES, type StageName } from '../../infra/config/stages';
import { NAG_REASONS } from '../../infra/nag-suppressions';
import { buildStage } from './synth-stage';

interface PluginReport {
  readonly violations?: ReadonlyArray<{ readonly ruleName?: string }>;
}

function readReport(assemblyDir: string): { pluginReports: PluginReport[] } {
  return JSON.parse(fs.readFileSync(path.join(assemblyDir, cxapi.VALIDATION_REPORT_FILE), 'utf8')) as { pluginReports: PluginReport[] };
}

function violationsOf(report: { pluginReports: PluginReport[] }): string[] {
  return report.pluginReports.flatMap((r) => (r.violations ?? []).map((v) => v.ruleName ?? '?'));
}

interface NagMetadata {
  readonly rules_to_suppress: ReadonlyArray<{ readonly id: string; readonly reason: string }>;
}

describe.each(Object.keys(STAGES) as StageName[])('cdk-nag AwsSolutions on Moncreneau-%s', (stage) => {
  it('synthesizes with the AwsSolutions plugin registered and no violation in the validation report', () => {
    const { app } = buildStage(stage);
    const assembly = app.synth(); // throws if cdk-nag reports any unacknowledged finding
    expect(violationsOf(readReport(assembly.directory))).toEqual([]);
  });

  it('has no unacknowledged AwsSolutions error or warning when the pack walks the stack directly', () => {
    const { app, stack } = buildStage(stage);
    app.synth();
    const report = new AwsSolutionsChecks().validateScope(stack);
    const findings = report.violations.map((v) => `${v.severity} ${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`);
    expect(findings).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('records every acknowledgement in the template with a specific reason, on a single resource', () => {
    const { app, stack } = buildStage(stage);
    const template = app.synth().getStackByName(stack.stackName).template as {
      Resources: Record<string, { Metadata?: { cdk_nag?: NagMetadata } }>;
    };
    const knownReasons = new Set<string>(Object.values(NAG_REASONS));
    const acknowledged = Object.values(template.Resources).flatMap((r) => r.Metadata?.cdk_nag?.rules_to_suppress ?? []);
    expect(acknowledged.length).toBeGreaterThan(0);
    for (const { id, reason } of acknowledged) {
      expect(id).toMatch(/^AwsSolutions-[A-Z]+\d+(\[.+\])?$/);
      // "Specific" = one of the reviewed reasons in infra/nag-suppressions.ts, and a real sentence.
      expect({ id, known: knownReasons.has(reason) }).toEqual({ id, known: true });
      expect(reason.length).toBeGreaterThanOrEqual(60);
    }
    // No acknowledgement at stack level: only resources carry them.
    expect(stack.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)).toEqual([]);
  });
});

describe('the nag check itself', () => {
  it('makes app.synth() (hence cdk synth / cdk deploy) fail on an unacknowledged finding', () => {
    const app = new App();
    new Queue(new Stack(app, 'NagThrow'), 'PlainQueue');
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).toThrow();
  });

  // Guards against a vacuous green: the same mechanism must catch a real violation.
  it('reports an unacknowledged violation, and drops it once acknowledged', () => {
    const app = new App({ context: { '@aws-cdk/core:failSynthOnValidationErrors': false } });
    const stack = new Stack(app, 'NagControl');
    const queue = new Queue(stack, 'PlainQueue'); // no DLQ, no TLS-only policy
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(violationsOf(readReport(app.synth().directory))).toEqual(expect.arrayContaining(['AwsSolutions-SQS3', 'AwsSolutions-SQS4']));

    Validations.of(queue.node.defaultChild!).acknowledge({ id: 'AwsSolutions-SQS4', reason: 'control case for the test' });
    const rules = new AwsSolutionsChecks().validateScope(stack).violations.map((v) => v.ruleName);
    expect(rules).toContain('AwsSolutions-SQS3');
    expect(rules).not.toContain('AwsSolutions-SQS4');
  });
});
