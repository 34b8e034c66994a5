/** The stage's own settings: present, with someone to page and MONCRENEAU's emergency contact. */
import { fail, pass, skip, warn } from '../types';
import type { Check } from './context';

export const stageConfig: Check = async ({ probe }) => {
  const { config, wiring } = probe;
  const functions = Object.keys(wiring.functions).length;
  if (!config.moncreneau.baseUrl || !config.region) return fail(`stage ${config.stage}: base URL or region missing`, 'complete the stage in infra/config/stages.ts');
  return pass(`stage ${config.stage}: region ${config.region}, MONCRENEAU ${config.moncreneau.baseUrl} (${config.moncreneau.authScheme}), ${functions} functions, ${Object.keys(wiring.tables).length} tables, its own resource names (${wiring.prefix}-*)`);
};

export const emergencyContact: Check = async ({ probe }) => {
  const contact = probe.config.emergencyContact;
  const fix = 'set emergencyContact { name, email and/or phone } for the stage in infra/config/stages.ts (docs/runbook.md#escalation)';
  if (!contact || !contact.name.trim() || !(contact.email?.trim() || contact.phone?.trim())) return fail('no MONCRENEAU emergency contact configured for this stage', fix);
  const how = [contact.email, contact.phone].filter(Boolean).join(', ');
  if (probe.config.stage === 'prod' && !contact.phone) {
    return warn(`${contact.name} (${how}): a mailbox only`, 'ask MONCRENEAU for a direct emergency line before go-live and add it as emergencyContact.phone');
  }
  return pass(`${contact.name} (${how})`);
};

export const onCallTargets: Check = async ({ probe }) => {
  const subscribers = await probe.pageSubscribers();
  if (subscribers === undefined) return skip('local: alarms are evaluated by `npm run alarms`; paging exists on a deployed stage');
  if (subscribers > 0) return pass(`${subscribers} confirmed subscription(s) on the page topic`);
  return fail('the page topic has no confirmed subscriber: an alarm would page nobody', 'add onCall.page emails/httpsEndpoints in infra/config/stages.ts, deploy, and confirm the subscription e-mails');
};
