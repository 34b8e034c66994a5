/**
 * Puts a deployed stage back on its previous release, function by function, in seconds.
 *
 *   npm run rollback -- --stage prod --reason "errors after 2026-12-03 deploy"        # every function
 *   npm run rollback -- --stage prod --function webhookReceiver --reason "…"            # one (wiring key; repeatable with commas)
 *   npm run rollback -- --stage prod --dry-run                                           # what it would do
 *
 * Stops any in-flight CodeDeploy deployment (with auto-rollback) and moves each function's `live` alias —
 * which API Gateway, the SQS event sources and the schedules invoke — to its previous version
 * (scripts/lib/rollback.ts). Uses the ambient AWS credentials. docs/rollback.md.
 */
import { CodeDeployClient } from '@aws-sdk/client-codedeploy';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { userInfo } from 'node:os';
import { stageConfig } from '../infra/config/stages';
import { deploymentApplicationName } from '../infra/release';
import { wiring } from '../infra/wiring';
import { fail, parseArgs } from './lib/args';
import { describeRollback, rollbackStage, rollbackTargets } from './lib/rollback';

// Operator commands run on the developer's Node; the SDK's runtime notice is noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

async function main(): Promise<void> {
  const { options } = parseArgs(process.argv.slice(2));
  if (typeof options.stage !== 'string') fail('usage: npm run rollback -- --stage <dev|staging|prod> --reason "…" [--function key[,key]] [--dry-run]');
  const dryRun = options['dry-run'] === true;
  const reason = typeof options.reason === 'string' ? options.reason.trim() : '';
  if (!dryRun && !reason) fail('--reason "…" is required: it is written on every alias moved');
  const config = stageConfig(options.stage);
  const w = wiring(config);
  const only = typeof options.function === 'string' ? options.function.split(',').map((k) => k.trim()) : undefined;
  const unknown = (only ?? []).filter((k) => !(k in w.functions));
  if (unknown.length) fail(`unknown function ${unknown.join(', ')}; known: ${Object.keys(w.functions).join(', ')}`);

  const region = process.env.AWS_REGION ?? config.region;
  const by = process.env.USER ?? userInfo().username;
  const targets = rollbackTargets(w, only);
  console.log(`stage ${config.stage} (${region}): ${dryRun ? 'DRY RUN, nothing changes — ' : ''}rolling back ${targets.length} function(s), reason: ${reason || '(dry run)'}`);
  const outcome = await rollbackStage({ lambda: new LambdaClient({ region }), codedeploy: new CodeDeployClient({ region }) }, targets, {
    applicationName: deploymentApplicationName(w),
    reason,
    by,
    now: () => new Date(),
    dryRun,
  });
  for (const r of outcome.results) console.log(`  ${describeRollback(r)}`);
  const failed = outcome.results.filter((r) => r.error).length;
  console.log(`${failed ? `${failed} function(s) FAILED` : 'done'} in ${(outcome.elapsedMs / 1000).toFixed(1)} s. New invocations use the versions above at once.`);
  if (!dryRun) console.log('Next: fix or revert, then deploy (docs/rollback.md "After a rollback").');
  if (failed) process.exit(1);
}

main().catch((error: unknown) => fail((error as Error).message));
