/**
 * Which system an operator command acts on: the running local stack (`--local`, the default when
 * `npm start` is running) or a deployed stage (`--stage dev|staging|prod`, using the ambient AWS
 * credentials). Resource names come from the wiring in both cases.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { stageConfig } from '../../infra/config/stages';
import { LOCAL_CREDENTIALS } from '../../infra/local/emulators';
import { readRuntimeInfo } from '../../infra/local/runtime-file';
import { physicalName, tableNameInUse, wiring, type QueueKey, type TableKey } from '../../infra/wiring';
import { fail } from './args';

// Operator commands run on the developer's Node; the SDK's runtime notice is noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export interface Target {
  readonly label: string;
  readonly kind: 'local' | 'aws';
  readonly sqs: SQSClient;
  readonly dynamodb: DynamoDBClient;
  readonly tables: Readonly<Record<TableKey, string>>;
  queue(key: QueueKey): Promise<{ url: string; arn: string }>;
}

export function resolveTarget(options: Record<string, string | true>): Target {
  const stage = typeof options.stage === 'string' ? options.stage : undefined;
  if (!stage || options.local) {
    const info = readRuntimeInfo();
    if (!info) fail('no local stack is running (start it with `npm start`), or pass --stage <dev|staging|prod> for a deployed one');
    const common = { region: info.region, credentials: LOCAL_CREDENTIALS };
    return {
      label: 'local',
      kind: 'local',
      sqs: new SQSClient({ ...common, endpoint: info.sqsEndpoint }),
      dynamodb: new DynamoDBClient({ ...common, endpoint: info.dynamoEndpoint }),
      tables: info.resources.tables,
      queue: async (key) => info.resources.queues[key],
    };
  }
  const config = stageConfig(stage);
  const w = wiring(config);
  const region = process.env.AWS_REGION ?? config.region;
  const sqs = new SQSClient({ region });
  // A restored table named in the stage's tableOverrides is the one the functions use: operate on it too.
  const tables = Object.fromEntries(Object.keys(w.tables).map((k) => [k, tableNameInUse(w, k as TableKey)])) as Record<TableKey, string>;
  return {
    label: `stage ${stage} (${region})`,
    kind: 'aws',
    sqs,
    dynamodb: new DynamoDBClient({ region }),
    tables,
    queue: async (key) => {
      const url = (await sqs.send(new GetQueueUrlCommand({ QueueName: physicalName(w, w.queues[key].name) }))).QueueUrl;
      if (!url) fail(`queue ${key} not found in ${stage}`);
      const arn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }))).Attributes?.QueueArn ?? '';
      return { url, arn };
    },
  };
}
