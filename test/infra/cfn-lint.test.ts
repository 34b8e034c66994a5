/**
 * Every stage's template passes cfn-lint (CloudFormation's resource schemas: properties, references, circular
 * dependencies) with no error and no warning — what CI runs on the bundled templates (`npm run lint:cfn`).
 * Without cfn-lint this fails with the install hint: the check is never skipped.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { STAGES, type StageName } from '../../infra/config/stages';
import { findCfnLint, INSTALL_HINT, lintTemplate } from '../../scripts/lib/cfn-lint';
import { buildStage } from './synth-stage';

describe('cfn-lint', () => {
  it('is found, or fails with a message saying how to get it', () => {
    expect(() => findCfnLint({ ...process.env, CFN_LINT: '/nonexistent/cfn-lint' })).toThrow(INSTALL_HINT);
    expect(findCfnLint().version).toMatch(/cfn-lint \d+\.\d+/);
  });

  it.each(Object.keys(STAGES) as StageName[])('finds no error and no warning in the %s template', (stage) => {
    const { app, stack } = buildStage(stage);
    const file = app.synth().getStackByName(stack.stackName).templateFullPath;
    const result = lintTemplate(findCfnLint().bin, file);
    expect(result.output).toBe('');
    expect(result.ok).toBe(true);
  });

  it('fails on a template CloudFormation would refuse (control case)', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cfnlint-')), 'bad.template.json');
    fs.writeFileSync(file, JSON.stringify({ Resources: { Q: { Type: 'AWS::SQS::Queue', Properties: { NoSuchProperty: 1 } } } }));
    const result = lintTemplate(findCfnLint().bin, file);
    expect(result.ok).toBe(false);
    expect(result.output).toContain('E3002');
  });
});
