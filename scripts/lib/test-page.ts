/** The checklist's "test alert": one clearly labelled message through a stage's real page topic. */
import { ListTopicsCommand, PublishCommand, type SNSClient } from '@aws-sdk/client-sns';

export interface TestPage {
  readonly topicArn: string;
  readonly messageId?: string;
}

/** Finds `<prefix>-page` among the account's topics and publishes the test message to it. */
export async function sendTestPage(sns: SNSClient, input: { prefix: string; stage: string; by: string; reason: string; at: Date }): Promise<TestPage> {
  const name = `${input.prefix}-page`;
  let topicArn: string | undefined;
  let next: string | undefined;
  do {
    const page = await sns.send(new ListTopicsCommand({ NextToken: next }));
    topicArn = page.Topics?.map((t) => t.TopicArn).find((arn) => arn?.endsWith(`:${name}`));
    next = page.NextToken;
  } while (!topicArn && next);
  if (!topicArn) throw new Error(`topic ${name} not found: is stage ${input.stage} deployed in this account and region?`);
  const out = await sns.send(
    new PublishCommand({
      TopicArn: topicArn,
      Subject: `[TEST] MONCRENEAU ${input.stage}: test page, no action needed`,
      Message: `TEST PAGE — no action needed.\nStage: ${input.stage}\nSent by: ${input.by} at ${input.at.toISOString()}\nReason: ${input.reason}\nIf you received this, paging through ${name} works.`,
    }),
  );
  return { topicArn, messageId: out.MessageId };
}
