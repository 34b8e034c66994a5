/** Function environment resolution, the fake Lambda context and the handler runner (no emulators needed). */
import { STAGES } from '../../infra/config/stages';
import { wiring, type FunctionKey } from '../../infra/wiring';
import { resolveFunctionEnvironment, secretsOf } from '../../infra/local/function-env';
import { contextInit, createLambdaContext } from '../../infra/local/lambda-context';
import { inProcessFunction } from '../../infra/local/invoke';
import type { LocalResources } from '../../infra/local/provision';
import { runHandler, type LambdaHandler } from '../../infra/local/run-handler';

const w = wiring(STAGES.dev);
const resources: LocalResources = {
  tables: Object.fromEntries(Object.keys(w.tables).map((k) => [k, `local-${k}`])) as LocalResources['tables'],
  queues: Object.fromEntries(Object.keys(w.queues).map((k) => [k, { url: `http://q/${k}`, arn: `arn:q:${k}` }])) as LocalResources['queues'],
};

describe('resolveFunctionEnvironment', () => {
  it.each(Object.keys(w.functions) as FunctionKey[])('%s: every wiring variable resolved locally, secret ARNs omitted, stand-ins copied', (key) => {
    const source = Object.fromEntries(secretsOf(w, key).flatMap((s) => Object.values(w.secrets[s].localEnv).map((v) => [v, `value-of-${v}`])));
    const env = resolveFunctionEnvironment(w, STAGES.dev, key, resources, source);
    for (const [name, value] of Object.entries(w.functions[key].environment)) {
      if ('tableName' in value) expect(env[name]).toBe(resources.tables[value.tableName]);
      else if ('queueUrl' in value) expect(env[name]).toBe(resources.queues[value.queueUrl].url);
      else if ('value' in value) expect(env[name]).toBe(value.value);
      else expect(env).not.toHaveProperty(name);
    }
    for (const [name, value] of Object.entries(source)) expect(env[name]).toBe(value);
    expect(env).toMatchObject({ STAGE: 'dev', POWERTOOLS_SERVICE_NAME: `moncreneau-${w.functions[key].folder}` });
  });
});

describe('fake Lambda context', () => {
  it('has the runtime fields and counts down from the timeout', () => {
    const ctx = createLambdaContext(contextInit({ functionName: 'fn', memoryMb: 256, region: 'eu-west-3', timeoutSeconds: 10 }));
    expect(ctx).toMatchObject({
      functionName: 'fn',
      functionVersion: '$LATEST',
      invokedFunctionArn: 'arn:aws:lambda:eu-west-3:000000000000:function:fn',
      memoryLimitInMB: '256',
      logGroupName: '/aws/lambda/fn',
      callbackWaitsForEmptyEventLoop: true,
    });
    expect(ctx.awsRequestId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(ctx.logStreamName).toMatch(/^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/);
    expect(ctx.getRemainingTimeInMillis()).toBeGreaterThan(0);
    expect(ctx.getRemainingTimeInMillis()).toBeLessThanOrEqual(10_000);
  });
});

describe('runHandler (Lambda runtime semantics)', () => {
  const init = () => contextInit({ functionName: 'fn', memoryMb: 128, region: 'eu-west-3', timeoutSeconds: 1 });

  it('returns an async result through JSON, undefined as null', async () => {
    expect(await runHandler(async () => ({ at: new Date(0), skip: undefined }), {}, init())).toEqual({ at: '1970-01-01T00:00:00.000Z' });
    expect(await runHandler(async () => undefined, {}, init())).toBeNull();
  });

  it('supports callback-style handlers', async () => {
    const handler: LambdaHandler = (_e, _c, callback) => {
      setTimeout(() => callback(undefined, { ok: 1 }), 1);
    };
    expect(await runHandler(handler, {}, init())).toEqual({ ok: 1 });
  });

  it('rejects with the handler error, and times out like Lambda', async () => {
    await expect(runHandler(async () => Promise.reject(new Error('nope')), {}, init())).rejects.toThrow('nope');
    await expect(runHandler(() => new Promise(() => undefined), {}, init())).rejects.toThrow(/Task timed out after 1\.\d\d seconds/);
  });

  it('inProcessFunction builds a fresh context per invocation', async () => {
    const fn = inProcessFunction(async (_e, ctx) => ctx.awsRequestId, { functionName: 'fn', timeoutSeconds: 3, memoryMb: 128, region: 'eu-west-3' });
    const [a, b] = [await fn.invoke<unknown, string>({}), await fn.invoke<unknown, string>({})];
    expect(a).not.toBe(b);
  });
});
