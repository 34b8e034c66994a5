/** What the domain rules need from their surroundings; the HTTP layer and the control plane share one. */
import type { SandboxAssumptions } from '../defaults';
import type { SandboxClock } from './clock';
import type { StateStore } from './state';
import type { EventType, WebhookEvent } from './types';

export interface DomainContext {
  readonly store: StateStore;
  readonly clock: SandboxClock;
  readonly assumptions: SandboxAssumptions;
  /** Records a state change as a webhook event (delivery is someone else's job). */
  emit(type: EventType, object: Record<string, unknown>): WebhookEvent;
}
