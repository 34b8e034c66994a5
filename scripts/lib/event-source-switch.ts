/**
 * Pausing a queue consumer in AWS: enabling or disabling its Lambda event source mapping (what the
 * `webhookProcessing` flag does in a deployed stage). A disabled mapping receives nothing, so paused
 * messages wait in the queue without burning their receive count; in-flight batches finish.
 */
import { ListEventSourceMappingsCommand, UpdateEventSourceMappingCommand, type LambdaClient } from '@aws-sdk/client-lambda';

export interface MappingState {
  readonly uuid: string;
  /** Lambda's state: Enabled, Disabled, Enabling, Disabling, Updating… */
  readonly state: string;
}

async function mappings(lambda: LambdaClient, functionName: string, queueArn: string): Promise<MappingState[]> {
  const found: MappingState[] = [];
  let marker: string | undefined;
  do {
    const out = await lambda.send(new ListEventSourceMappingsCommand({ FunctionName: functionName, EventSourceArn: queueArn, Marker: marker }));
    for (const m of out.EventSourceMappings ?? []) if (m.UUID) found.push({ uuid: m.UUID, state: m.State ?? 'unknown' });
    marker = out.NextMarker;
  } while (marker);
  return found;
}

/** The mapping(s) of `functionName` on `queueArn`, and their state. */
export function mappingStates(lambda: LambdaClient, functionName: string, queueArn: string): Promise<MappingState[]> {
  return mappings(lambda, functionName, queueArn);
}

/** Enables or disables every mapping of `functionName` on `queueArn`; throws when there is none (nothing would pause). */
export async function setMappingsEnabled(lambda: LambdaClient, functionName: string, queueArn: string, enabled: boolean): Promise<MappingState[]> {
  const found = await mappings(lambda, functionName, queueArn);
  if (found.length === 0) throw new Error(`no event source mapping of ${functionName} on ${queueArn}`);
  const updated: MappingState[] = [];
  for (const { uuid } of found) {
    const out = await lambda.send(new UpdateEventSourceMappingCommand({ UUID: uuid, Enabled: enabled }));
    updated.push({ uuid, state: out.State ?? 'unknown' });
  }
  return updated;
}
