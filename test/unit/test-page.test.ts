/** `npm run alarms -- test`: the test page goes to the stage's page topic, labelled as a test, with who and why (SNS mocked: no emulator). */
import { ListTopicsCommand, PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { sendTestPage } from '../../scripts/lib/test-page';

describe('sendTestPage', () => {
  it('finds <prefix>-page across topic pages and publishes a labelled test message', async () => {
    const client = new SNSClient({ region: 'eu-west-3' });
    const sns = mockClient(client);
    sns
      .on(ListTopicsCommand, { NextToken: undefined })
      .resolves({ Topics: [{ TopicArn: 'arn:aws:sns:eu-west-3:1:moncreneau-prod-ticket' }], NextToken: 'p2' })
      .on(ListTopicsCommand, { NextToken: 'p2' })
      .resolves({ Topics: [{ TopicArn: 'arn:aws:sns:eu-west-3:1:moncreneau-prod-page' }] });
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
    const sent = await sendTestPage(client, { prefix: 'moncreneau-prod', stage: 'prod', by: 'ops', reason: 'go-live rehearsal', at: new Date('2026-12-03T09:00:00Z') });
    expect(sent).toEqual({ topicArn: 'arn:aws:sns:eu-west-3:1:moncreneau-prod-page', messageId: 'm-1' });
    const input = sns.commandCalls(PublishCommand)[0].args[0].input;
    expect(input.TopicArn).toBe('arn:aws:sns:eu-west-3:1:moncreneau-prod-page');
    expect(input.Subject).toMatch(/^\[TEST\]/);
    expect(input.Message).toContain('no action needed');
    expect(input.Message).toContain('go-live rehearsal');
    expect(input.Message).toContain('ops');
  });

  it('says so when the stage has no page topic, and publishes nothing', async () => {
    const client = new SNSClient({ region: 'eu-west-3' });
    const sns = mockClient(client);
    sns.on(ListTopicsCommand).resolves({ Topics: [] });
    await expect(sendTestPage(client, { prefix: 'moncreneau-dev', stage: 'dev', by: 'ops', reason: 'r', at: new Date() })).rejects.toThrow(/moncreneau-dev-page not found/);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(0);
  });
});
