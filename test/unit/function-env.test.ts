/**
 * The wiring is the single source of each function's environment: every variable it wires is read by
 * that function's composition root (a wired-but-unread variable fails here), and the composition
 * roots read their names from the same constants the wiring binds (shared/config/function-env.ts).
 */
import { stageConfig } from '../../infra/config/stages';
import { wiring, type EnvValue, type FunctionKey } from '../../infra/wiring';
import { composeAppointmentsApi } from '../../shared/composition/appointments-api';
import { composeHealthMonitor } from '../../shared/composition/health-monitor';
import { composeOutboundWorker } from '../../shared/composition/outbound-worker';
import { composePaymentsSweeper } from '../../shared/composition/payments-sweeper';
import { composeSecretRotation } from '../../shared/composition/secret-rotation';
import { composeWebhookProcessor } from '../../shared/composition/webhook-processor';
import { composeWebhookReceiver } from '../../shared/composition/webhook-receiver';
import { FUNCTION_ENV } from '../../shared/config/function-env';

const COMPOSE: Record<FunctionKey, (env: NodeJS.ProcessEnv) => unknown> = {
  webhookReceiver: composeWebhookReceiver,
  webhookProcessor: composeWebhookProcessor,
  appointmentsApi: composeAppointmentsApi,
  outboundWorker: composeOutboundWorker,
  healthMonitor: composeHealthMonitor,
  paymentsSweeper: composePaymentsSweeper,
  secretRotation: composeSecretRotation,
};

/** A plausible deployed value for each kind of binding (nothing is called while composing). */
function deployedValue(value: EnvValue): string {
  if ('value' in value) return value.value;
  if ('tableName' in value) return `moncreneau-test-${value.tableName}`;
  if ('queueUrl' in value) return `https://sqs.eu-west-1.amazonaws.com/123456789012/moncreneau-test-${value.queueUrl}`;
  return `arn:aws:secretsmanager:eu-west-1:123456789012:secret:moncreneau-test-${value.secretArn}`;
}

function recordingEnv(values: Record<string, string>): { env: NodeJS.ProcessEnv; read: Set<string> } {
  const read = new Set<string>();
  const env = new Proxy(values, {
    get(target, name) {
      if (typeof name === 'string') read.add(name);
      return target[name as string];
    },
  });
  return { env, read };
}

const config = stageConfig('prod');
const w = wiring(config);

describe.each(Object.keys(COMPOSE) as FunctionKey[])('%s environment', (key) => {
  const wired = w.functions[key].environment;

  it('binds exactly the names the function declares in shared/config/function-env.ts', () => {
    expect(Object.keys(wired).sort()).toEqual(Object.values(FUNCTION_ENV[key]).sort());
  });

  it('reads every variable the wiring gives it when its composition root builds it', () => {
    const values = Object.fromEntries(Object.entries(wired).map(([name, value]) => [name, deployedValue(value)]));
    const { env, read } = recordingEnv(values);
    COMPOSE[key](env);
    const unread = Object.keys(wired).filter((name) => !read.has(name));
    expect(unread).toEqual([]);
  });
});
