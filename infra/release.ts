/**
 * Release names, as data shared by the CDK stack (infra/constructs/live-alias.ts) and `npm run rollback`:
 * the alias every invoker calls, the CodeDeploy application and one deployment group per function.
 */
import { physicalName, type FunctionKey, type Wiring } from './wiring';

export const LIVE_ALIAS_NAME = 'live';

export function deploymentApplicationName(w: Wiring): string {
  return w.prefix;
}

/** Named after the function it deploys, e.g. moncreneau-prod-webhook-receiver. */
export function deploymentGroupName(w: Wiring, key: FunctionKey): string {
  return physicalName(w, w.functions[key].folder);
}
