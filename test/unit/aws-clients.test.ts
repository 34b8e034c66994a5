/** Every SDK client the functions build has an explicit request timeout and retry mode (not the SDK's unbounded defaults). */
import { dynamoDbClient, secretsManagerClient, sqsClient } from '../../shared/adapters/aws-clients';

describe('AWS SDK clients', () => {
  it.each([
    ['DynamoDB', dynamoDbClient],
    ['SQS', sqsClient],
    ['Secrets Manager', secretsManagerClient],
  ])('%s: 3 attempts in standard retry mode, 1 s connect and 2 s request timeouts', async (_name, make) => {
    const config = make().config as unknown as {
      maxAttempts: () => Promise<number>;
      retryMode: string | (() => Promise<string>);
      requestHandler: { configProvider: Promise<{ connectionTimeout?: number; requestTimeout?: number }> };
    };
    expect(await config.maxAttempts()).toBe(3);
    expect(typeof config.retryMode === 'function' ? await config.retryMode() : config.retryMode).toBe('standard');
    expect(await config.requestHandler.configProvider).toMatchObject({ connectionTimeout: 1000, requestTimeout: 2000 });
  });
});
