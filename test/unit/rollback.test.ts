/**
 * npm run rollback's logic against mocked Lambda and CodeDeploy clients (no emulator exists for either):
 * which version each alias goes back to, in-flight deployments stopped with auto-rollback, a traffic shift
 * cancelled, the audit description, a concurrent alias move, and one failing function not holding back the rest.
 */
import { CodeDeployClient, ListDeploymentsCommand, StopDeploymentCommand } from '@aws-sdk/client-codedeploy';
import { GetAliasCommand, LambdaClient, ListVersionsByFunctionCommand, UpdateAliasCommand } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { STAGES } from '../../infra/config/stages';
import { deploymentApplicationName, LIVE_ALIAS_NAME } from '../../infra/release';
import { wiring } from '../../infra/wiring';
import { describeRollback, IN_FLIGHT, rollbackFunction, rollbackStage, rollbackTargets } from '../../scripts/lib/rollback';

const lambdaMock = mockClient(LambdaClient);
const codedeployMock = mockClient(CodeDeployClient);
const clients = { lambda: new LambdaClient({ region: 'eu-west-3' }), codedeploy: new CodeDeployClient({ region: 'eu-west-3' }) };
const w = wiring(STAGES.prod);
const at = new Date('2026-12-03T14:00:00Z');
const options = { applicationName: deploymentApplicationName(w), reason: 'errors after deploy', by: 'alice', now: () => at };
const receiver = rollbackTargets(w, ['webhookReceiver'])[0];

beforeEach(() => {
  lambdaMock.reset();
  codedeployMock.reset();
  codedeployMock.on(ListDeploymentsCommand).resolves({ deployments: [] });
});

describe('rollbackTargets', () => {
  it('covers every wired function, its deployment group named after it', () => {
    const targets = rollbackTargets(w);
    expect(targets.map((t) => t.key).sort()).toEqual(Object.keys(w.functions).sort());
    expect(receiver).toEqual({ key: 'webhookReceiver', functionName: 'moncreneau-prod-webhook-receiver', deploymentGroup: 'moncreneau-prod-webhook-receiver' });
  });
});

describe('rollbackFunction', () => {
  it('moves live to the highest version below the current one, across ListVersions pages, and records who and why', async () => {
    lambdaMock.on(GetAliasCommand).resolves({ FunctionVersion: '7', RevisionId: 'rev-1' });
    lambdaMock
      .on(ListVersionsByFunctionCommand, { FunctionName: receiver.functionName, Marker: undefined })
      .resolves({ Versions: [{ Version: '$LATEST' }, { Version: '3' }, { Version: '5' }], NextMarker: 'm2' })
      .on(ListVersionsByFunctionCommand, { FunctionName: receiver.functionName, Marker: 'm2' })
      .resolves({ Versions: [{ Version: '6' }, { Version: '7' }, { Version: '8' }] });
    lambdaMock.on(UpdateAliasCommand).resolves({});

    const result = await rollbackFunction(clients, receiver, options);

    expect(result).toMatchObject({ action: 'rolled_back', from: '7', to: '6', stoppedDeployments: [] });
    expect(lambdaMock.commandCalls(GetAliasCommand)[0].args[0].input).toEqual({ FunctionName: receiver.functionName, Name: LIVE_ALIAS_NAME });
    const update = lambdaMock.commandCalls(UpdateAliasCommand);
    expect(update).toHaveLength(1);
    expect(update[0].args[0].input).toEqual({
      FunctionName: 'moncreneau-prod-webhook-receiver',
      Name: 'live',
      FunctionVersion: '6',
      RoutingConfig: { AdditionalVersionWeights: {} },
      Description: 'rollback 7 -> 6 by alice at 2026-12-03T14:00:00.000Z: errors after deploy',
      RevisionId: 'rev-1',
    });
    expect(describeRollback({ target: receiver, result })).toBe('✔ moncreneau-prod-webhook-receiver: live moved 7 → 6');
  });

  it('stops an in-flight deployment with auto-rollback, then removes the new version\'s weight (the alias stays on the old one)', async () => {
    codedeployMock.on(ListDeploymentsCommand).resolves({ deployments: ['d-ABC123'] });
    codedeployMock.on(StopDeploymentCommand).resolves({ status: 'Pending' });
    lambdaMock.on(GetAliasCommand).resolves({ FunctionVersion: '7', RoutingConfig: { AdditionalVersionWeights: { '8': 0.1 } }, RevisionId: 'r' });
    lambdaMock.on(UpdateAliasCommand).resolves({});

    const result = await rollbackFunction(clients, receiver, options);

    expect(codedeployMock.commandCalls(ListDeploymentsCommand)[0].args[0].input).toEqual({
      applicationName: 'moncreneau-prod',
      deploymentGroupName: 'moncreneau-prod-webhook-receiver',
      includeOnlyStatuses: IN_FLIGHT,
      nextToken: undefined,
    });
    expect(codedeployMock.commandCalls(StopDeploymentCommand).map((c) => c.args[0].input)).toEqual([{ deploymentId: 'd-ABC123', autoRollbackEnabled: true }]);
    expect(result).toMatchObject({ action: 'shift_cancelled', from: '7', to: '7', cancelledVersion: '8', stoppedDeployments: ['d-ABC123'] });
    expect(lambdaMock.commandCalls(ListVersionsByFunctionCommand)).toHaveLength(0);
    expect(lambdaMock.commandCalls(UpdateAliasCommand)[0].args[0].input).toMatchObject({ FunctionVersion: '7', RoutingConfig: { AdditionalVersionWeights: {} } });
    expect(describeRollback({ target: receiver, result })).toContain('traffic shift to version 8 cancelled, live = 7 (stopped deployment d-ABC123 with auto-rollback)');
  });

  it('changes nothing on a dry run', async () => {
    codedeployMock.on(ListDeploymentsCommand).resolves({ deployments: ['d-1'] });
    lambdaMock.on(GetAliasCommand).resolves({ FunctionVersion: '2' });
    lambdaMock.on(ListVersionsByFunctionCommand).resolves({ Versions: [{ Version: '1' }, { Version: '2' }] });

    const result = await rollbackFunction(clients, receiver, { ...options, dryRun: true });

    expect(result).toMatchObject({ action: 'rolled_back', from: '2', to: '1', dryRun: true, stoppedDeployments: ['d-1'] });
    expect(codedeployMock.commandCalls(StopDeploymentCommand)).toHaveLength(0);
    expect(lambdaMock.commandCalls(UpdateAliasCommand)).toHaveLength(0);
    expect(describeRollback({ target: receiver, result })).toContain('live would be moved 2 → 1');
  });

  it('reports a function with no earlier version and leaves it alone', async () => {
    lambdaMock.on(GetAliasCommand).resolves({ FunctionVersion: '1' });
    lambdaMock.on(ListVersionsByFunctionCommand).resolves({ Versions: [{ Version: '$LATEST' }, { Version: '1' }] });

    expect(await rollbackFunction(clients, receiver, options)).toMatchObject({ action: 'no_previous_version', from: '1' });
    expect(lambdaMock.commandCalls(UpdateAliasCommand)).toHaveLength(0);
  });

  it('reads again and decides again when CodeDeploy moved the alias in between (RevisionId precondition)', async () => {
    const moved = Object.assign(new Error('revision changed'), { name: 'PreconditionFailedException' });
    lambdaMock.on(GetAliasCommand).resolvesOnce({ FunctionVersion: '7', RevisionId: 'a' }).resolves({ FunctionVersion: '6', RevisionId: 'b' });
    lambdaMock.on(ListVersionsByFunctionCommand).resolves({ Versions: [{ Version: '5' }, { Version: '6' }, { Version: '7' }] });
    lambdaMock.on(UpdateAliasCommand).rejectsOnce(moved).resolves({});

    const result = await rollbackFunction(clients, receiver, options);

    expect(result).toMatchObject({ action: 'rolled_back', from: '6', to: '5' });
    expect(lambdaMock.commandCalls(UpdateAliasCommand).map((c) => c.args[0].input.RevisionId)).toEqual(['a', 'b']);
  });
});

describe('rollbackStage', () => {
  it('rolls every function back at once, reports a failing one without holding back the others, and times the run', async () => {
    lambdaMock.on(GetAliasCommand).resolves({ FunctionVersion: '4' });
    lambdaMock.on(GetAliasCommand, { FunctionName: 'moncreneau-prod-health-monitor', Name: 'live' }).rejects(Object.assign(new Error('no alias'), { name: 'ResourceNotFoundException' }));
    lambdaMock.on(ListVersionsByFunctionCommand).resolves({ Versions: [{ Version: '3' }, { Version: '4' }] });
    lambdaMock.on(UpdateAliasCommand).resolves({});
    let clock = at.getTime();
    const now = (): Date => new Date((clock += 1500));

    const outcome = await rollbackStage(clients, rollbackTargets(w), { ...options, now });

    expect(outcome.results).toHaveLength(Object.keys(w.functions).length);
    const failed = outcome.results.filter((r) => r.error);
    expect(failed.map((r) => r.target.key)).toEqual(['healthMonitor']);
    expect(describeRollback(failed[0])).toBe('✖ moncreneau-prod-health-monitor: FAILED ResourceNotFoundException: no alias');
    expect(lambdaMock.commandCalls(UpdateAliasCommand)).toHaveLength(Object.keys(w.functions).length - 1);
    expect(outcome.elapsedMs).toBeGreaterThan(0);
  });
});
