/**
 * Starts DynamoDB Local and the SQS emulator once for the whole test run. Workers inherit the
 * endpoints through the standard AWS SDK variables (AWS_ENDPOINT_URL_DYNAMODB / _SQS), so code under
 * test builds ordinary SDK clients exactly as it does in Lambda.
 */
import { rmSync } from 'node:fs';
import { startEmulators, LOCAL_CREDENTIALS, type Emulators } from '../../infra/local/emulators';
import { LOG_CAPTURE_DIR } from './log-scan';

declare global {
  var __EMULATORS__: Emulators | undefined;
}

export default async function globalSetup(): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  rmSync(LOG_CAPTURE_DIR, { recursive: true, force: true });
  const emulators = await startEmulators();
  globalThis.__EMULATORS__ = emulators;
  process.env.AWS_ENDPOINT_URL_DYNAMODB = emulators.dynamoEndpoint;
  process.env.AWS_ENDPOINT_URL_SQS = emulators.sqsEndpoint;
  process.env.AWS_REGION = emulators.region;
  process.env.AWS_ACCESS_KEY_ID = LOCAL_CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = LOCAL_CREDENTIALS.secretAccessKey;
}
