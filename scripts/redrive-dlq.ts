/**
 * Replays the webhook DLQ into the main queue after a fix.
 * In AWS: SQS StartMessageMoveTask (server-side); locally: receive → send → delete.
 *
 *   npm run dlq:redrive                 # the running local stack, webhook DLQ
 *   npm run dlq:redrive -- --queue outboundCommands    # the outbound commands' DLQ
 *   npm run dlq:redrive -- --stage prod [--rate 10] [--queue webhookEvents|outboundCommands]
 */
import { copyBack, startMoveTask } from '../shared/adapters/dlq-redrive';
import { fail, parseArgs } from './lib/args';
import { stageConfig } from '../infra/config/stages';
import { wiring, type QueueKey } from '../infra/wiring';
import { resolveTarget } from './lib/target';

// Which queue redrives into which DLQ comes from the wiring (the names are the same in every stage).
const w = wiring(stageConfig('dev'));
const redrivable = (Object.keys(w.queues) as QueueKey[]).filter((k) => w.queues[k].deadLetter);

async function main(): Promise<void> {
  const { options } = parseArgs(process.argv.slice(2));
  const target = resolveTarget(options);
  const which = (typeof options.queue === 'string' ? options.queue : 'webhookEvents') as QueueKey;
  const deadLetter = w.queues[which]?.deadLetter;
  if (!deadLetter) fail(`--queue must be a queue with a DLQ: ${redrivable.join(', ')}`);
  const [dlq, source] = await Promise.all([target.queue(deadLetter.queue), target.queue(which)]);
  if (target.kind === 'aws') {
    const rate = typeof options.rate === 'string' ? Number(options.rate) : undefined;
    const result = await startMoveTask(target.sqs, dlq.arn, source.arn, rate);
    console.log(`${target.label} (${which}): message move task started (${result.taskHandle}); follow it with \`aws sqs list-message-move-tasks --source-arn ${dlq.arn}\``);
    return;
  }
  const result = await copyBack(target.sqs, dlq.url, source.url);
  console.log(`${target.label}: moved ${result.moved} message(s) from the DLQ back to ${which}`);
}

main().catch((error: unknown) => fail((error as Error).message));
