/**
 * Returns every function's `live` alias to its previous version, in parallel: a few Lambda and CodeDeploy
 * calls per function, seconds in all. Used by `npm run rollback`; the names come from the wiring.
 *
 * Per function: stop its in-flight CodeDeploy deployment (with CodeDeploy's own rollback), then read the
 * alias. During a traffic shift the alias still points at the old version with a weight on the new one:
 * the weight is removed. Otherwise the alias moves to the highest published version below its current one.
 * The alias description records who did it, when and why.
 */
import { ListDeploymentsCommand, StopDeploymentCommand, type CodeDeployClient, type DeploymentStatus } from '@aws-sdk/client-codedeploy';
import { GetAliasCommand, ListVersionsByFunctionCommand, UpdateAliasCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { deploymentGroupName, LIVE_ALIAS_NAME } from '../../infra/release';
import { physicalName, type FunctionKey, type Wiring } from '../../infra/wiring';

/** Deployments that may still move an alias. */
export const IN_FLIGHT: DeploymentStatus[] = ['Created', 'Queued', 'InProgress', 'Baking', 'Ready'];

export interface RollbackTarget {
  readonly key: FunctionKey;
  readonly functionName: string;
  readonly deploymentGroup: string;
}

/** Every wired function (or those of `only`), with its deployment group. */
export function rollbackTargets(w: Wiring, only?: readonly string[]): RollbackTarget[] {
  const keys = (Object.keys(w.functions) as FunctionKey[]).filter((key) => !only?.length || only.includes(key));
  return keys.map((key) => ({ key, functionName: physicalName(w, w.functions[key].folder), deploymentGroup: deploymentGroupName(w, key) }));
}

export type RollbackAction =
  /** The alias moved from `from` to `to`. */
  | 'rolled_back'
  /** A traffic shift was under way: the new version's weight was removed, the alias stays on `to`. */
  | 'shift_cancelled'
  /** No published version below the current one: nothing to go back to. */
  | 'no_previous_version';

export interface FunctionRollback {
  readonly target: RollbackTarget;
  readonly action: RollbackAction;
  readonly from: string;
  readonly to?: string;
  /** The new version that was taking part of the traffic, when a shift was cancelled. */
  readonly cancelledVersion?: string;
  readonly stoppedDeployments: readonly string[];
  readonly dryRun: boolean;
}

export interface RollbackOptions {
  readonly applicationName: string;
  readonly reason: string;
  readonly by: string;
  readonly now: () => Date;
  /** Read and decide, change nothing. */
  readonly dryRun?: boolean;
}

export interface Clients {
  readonly lambda: LambdaClient;
  readonly codedeploy: CodeDeployClient;
}

async function stopInFlight(codedeploy: CodeDeployClient, target: RollbackTarget, options: RollbackOptions): Promise<string[]> {
  const ids: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await codedeploy.send(
      new ListDeploymentsCommand({ applicationName: options.applicationName, deploymentGroupName: target.deploymentGroup, includeOnlyStatuses: IN_FLIGHT, nextToken }),
    );
    ids.push(...(page.deployments ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  if (!options.dryRun) {
    // autoRollbackEnabled: CodeDeploy puts the alias back itself too; both converge on the same version.
    await Promise.all(ids.map((deploymentId) => codedeploy.send(new StopDeploymentCommand({ deploymentId, autoRollbackEnabled: true }))));
  }
  return ids;
}

/** The highest published version below `current` ($LATEST is not a version one can roll back to). */
async function previousVersion(lambda: LambdaClient, functionName: string, current: number): Promise<string | undefined> {
  let best: number | undefined;
  let marker: string | undefined;
  do {
    const page = await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: functionName, Marker: marker }));
    for (const v of page.Versions ?? []) {
      const n = Number(v.Version);
      if (Number.isInteger(n) && n < current && (best === undefined || n > best)) best = n;
    }
    marker = page.NextMarker;
  } while (marker);
  return best === undefined ? undefined : String(best);
}

function description(options: RollbackOptions, from: string, to: string): string {
  // Lambda keeps at most 256 characters.
  return `rollback ${from} -> ${to} by ${options.by} at ${options.now().toISOString()}: ${options.reason}`.slice(0, 256);
}

export async function rollbackFunction(clients: Clients, target: RollbackTarget, options: RollbackOptions): Promise<FunctionRollback> {
  const stoppedDeployments = await stopInFlight(clients.codedeploy, target, options);
  const dryRun = options.dryRun ?? false;
  for (let attempt = 1; ; attempt++) {
    const alias = await clients.lambda.send(new GetAliasCommand({ FunctionName: target.functionName, Name: LIVE_ALIAS_NAME }));
    const from = alias.FunctionVersion ?? '';
    const weights = Object.keys(alias.RoutingConfig?.AdditionalVersionWeights ?? {});
    const shifting = weights.length > 0;
    const to = shifting ? from : await previousVersion(clients.lambda, target.functionName, Number(from));
    if (to === undefined) return { target, action: 'no_previous_version', from, stoppedDeployments, dryRun };
    const result: FunctionRollback = shifting
      ? { target, action: 'shift_cancelled', from, to, cancelledVersion: weights.join(','), stoppedDeployments, dryRun }
      : { target, action: 'rolled_back', from, to, stoppedDeployments, dryRun };
    if (dryRun) return result;
    try {
      await clients.lambda.send(
        new UpdateAliasCommand({
          FunctionName: target.functionName,
          Name: LIVE_ALIAS_NAME,
          FunctionVersion: to,
          RoutingConfig: { AdditionalVersionWeights: {} },
          Description: description(options, shifting ? `${from}+${weights.join(',')}` : from, to),
          // Fails if CodeDeploy moved the alias since we read it: read again and decide again.
          RevisionId: alias.RevisionId,
        }),
      );
      return result;
    } catch (error) {
      if ((error as Error).name !== 'PreconditionFailedException' || attempt >= 3) throw error;
    }
  }
}

export interface StageRollback {
  readonly results: ReadonlyArray<{ readonly target: RollbackTarget; readonly result?: FunctionRollback; readonly error?: string }>;
  readonly elapsedMs: number;
}

/** Every target at once: one function's failure does not hold back the others (it is reported). */
export async function rollbackStage(clients: Clients, targets: readonly RollbackTarget[], options: RollbackOptions): Promise<StageRollback> {
  const started = options.now().getTime();
  const results = await Promise.all(
    targets.map((target) =>
      rollbackFunction(clients, target, options).then(
        (result) => ({ target, result }),
        (error: unknown) => ({ target, error: `${(error as Error).name}: ${(error as Error).message}` }),
      ),
    ),
  );
  return { results, elapsedMs: options.now().getTime() - started };
}

/** One line per function, as the script prints it. */
export function describeRollback(r: StageRollback['results'][number]): string {
  const name = r.target.functionName;
  if (r.error) return `✖ ${name}: FAILED ${r.error}`;
  const x = r.result!;
  const stopped = x.stoppedDeployments.length ? ` (stopped deployment ${x.stoppedDeployments.join(', ')} with auto-rollback)` : '';
  const would = x.dryRun ? 'would be ' : '';
  if (x.action === 'no_previous_version') return `– ${name}: live = ${x.from}, no earlier version to go back to${stopped}`;
  if (x.action === 'shift_cancelled') return `✔ ${name}: traffic shift to version ${x.cancelledVersion} ${would}cancelled, live = ${x.to}${stopped}`;
  return `✔ ${name}: live ${would}moved ${x.from} → ${x.to}${stopped}`;
}
