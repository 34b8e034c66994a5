/**
 * Replays the webhook DLQ into the main queue after a fix.
 * In AWS: SQS StartMessageMoveTask (server-side); locally: receive → send → delete.
 *
 *   npm run dlq:redrive                 # the running local stack
 *   npm run dlq:redrive -- --stage prod [--rate 10]
 */
import { copyBack, startMoveTask } from '../shared/adapters/dlq-redrive';
import { fail, parseArgs } from './lib/args';
import { resolveTarget } from './lib/target';

async function main(): Promise<void> {
  const { options } = parseArgs(process.argv.slice(2));
  const target = resolveTarget(options);
  const [dlq, source] = await Promise.all([target.queue('webhookEventsDlq'), target.queue('webhookEvents')]);
  if (target.kind === 'aws') {
    const rate = typeof options.rate === 'string' ? Number(options.rate) : undefined;
    const result = await startMoveTask(target.sqs, dlq.arn, source.arn, rate);
    console.log(`${target.label}: message move task started (${result.taskHandle}); follow it with \`aws sqs list-message-move-tasks --source-arn ${dlq.arn}\``);
    return;
  }
  const result = await copyBack(target.sqs, dlq.url, source.url);
  console.log(`${target.label}: moved ${result.moved} message(s) from the DLQ back to the webhook queue`);
}

main().catch((error: unknown) => fail((error as Error).message));
