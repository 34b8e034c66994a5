/**
 * Resolves a function's wiring environment to local values: table names and queue URLs on the
 * emulators; secret ARNs are omitted (there is no Secrets Manager locally) and replaced by the
 * plain variables named in `wiring.secrets[k].localEnv`, read from the process environment
 * (which start.ts fills from `.env`). Handlers therefore treat "no *_SECRET_ARN" as local mode.
 */
import { commonEnvironment as wiringCommonEnvironment, physicalName, type FunctionKey, type SecretKey, type Wiring } from '../wiring';
import type { StageConfig } from '../config/stages';
import { LOCAL_CREDENTIALS } from './emulators';
import type { EmulatorEndpoints } from './clients';
import type { LocalResources } from './provision';

/** The same common variables the CDK stacks give every function. */
export function commonEnvironment(config: StageConfig, functionKey: FunctionKey): Record<string, string> {
  return wiringCommonEnvironment(config, functionKey);
}

/** Local function name, mirroring the deployed naming (`moncreneau-<stage>-<folder>`). */
export function localFunctionName(w: Wiring, functionKey: FunctionKey): string {
  return physicalName(w, w.functions[functionKey].folder);
}

/** Secrets a function references (by env value or permission): locally their `localEnv` variables. */
export function secretsOf(w: Wiring, functionKey: FunctionKey): SecretKey[] {
  const spec = w.functions[functionKey];
  const keys = new Set<SecretKey>();
  for (const value of Object.values(spec.environment)) if ('secretArn' in value) keys.add(value.secretArn);
  for (const p of spec.permissions) if ('secret' in p) keys.add(p.secret);
  return [...keys];
}

/**
 * The wiring-defined part: common + resolved environment + secret stand-ins (only those set in
 * `source`; a missing secret variable is the handler's error to report, as a missing secret is in AWS).
 */
export function resolveFunctionEnvironment(
  w: Wiring,
  config: StageConfig,
  functionKey: FunctionKey,
  resources: LocalResources,
  source: NodeJS.ProcessEnv = process.env,
): Record<string, string> {
  const env: Record<string, string> = { ...commonEnvironment(config, functionKey) };
  for (const [name, value] of Object.entries(w.functions[functionKey].environment)) {
    if ('tableName' in value) env[name] = resources.tables[value.tableName];
    else if ('queueUrl' in value) env[name] = resources.queues[value.queueUrl].url;
    else if ('value' in value) env[name] = value.value;
    // secretArn: deliberately omitted locally.
  }
  for (const secret of secretsOf(w, functionKey)) {
    for (const variable of Object.values(w.secrets[secret].localEnv)) {
      const v = source[variable];
      if (v !== undefined) env[variable] = v;
    }
  }
  return env;
}

/**
 * What the Lambda runtime itself provides, plus the emulator endpoints: the handlers' ordinary SDK
 * clients honour AWS_ENDPOINT_URL_* and reach the emulators with no code difference.
 */
export function lambdaRuntimeEnvironment(
  w: Wiring,
  functionKey: FunctionKey,
  endpoints: EmulatorEndpoints,
): Record<string, string> {
  const spec = w.functions[functionKey];
  const name = localFunctionName(w, functionKey);
  return {
    AWS_REGION: endpoints.region,
    AWS_DEFAULT_REGION: endpoints.region,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamoEndpoint,
    AWS_ENDPOINT_URL_SQS: endpoints.sqsEndpoint,
    AWS_LAMBDA_FUNCTION_NAME: name,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(spec.memoryMb),
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${name}`,
    // The SDK's "Node ≥ 22 soon" notice, once per function, is noise locally.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
}
