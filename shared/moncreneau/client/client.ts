/** The facade: `createMoncreneauClient(options)` → `{ departments, appointments, credits }`. */
import { setTimeout as sleepMs } from 'node:timers/promises';
import { resolveOptions, type MoncreneauClientOptions, type ResolvedOptions } from './config';
import { ApiKeyProvider } from './credentials';
import { RequestExecutor, defaultRequestId } from './executor';
import { AppointmentsResource } from './resources/appointments';
import { CreditsResource } from './resources/credits';
import { DepartmentsResource } from './resources/departments';
import { NodeHttpTransport } from './transport';

export class MoncreneauClient {
  readonly departments: DepartmentsResource;
  readonly appointments: AppointmentsResource;
  /** Credit purchases (ASSUMED contract, docs/moncreneau-api.md §7). */
  readonly credits: CreditsResource;
  readonly options: ResolvedOptions;
  private readonly ownTransport?: NodeHttpTransport;

  constructor(options: MoncreneauClientOptions) {
    this.options = resolveOptions(options);
    const random = options.random ?? Math.random;
    this.ownTransport = options.transport ? undefined : new NodeHttpTransport();
    const executor = new RequestExecutor({
      options: this.options,
      keys: new ApiKeyProvider(options.keySource, this.options.keyField),
      transport: options.transport ?? (this.ownTransport as NodeHttpTransport),
      gate: options.gate,
      now: options.now ?? Date.now,
      sleep: options.sleep ?? ((ms) => sleepMs(ms)),
      random,
      newRequestId: options.newRequestId ?? defaultRequestId,
      onRequest: options.onRequest,
      onRetry: options.onRetry,
    });
    this.departments = new DepartmentsResource(executor, this.options.cacheTtlMs);
    this.appointments = new AppointmentsResource(executor, this.options, random, options.lookupExisting);
    this.credits = new CreditsResource(executor);
  }

  clearCache(): void {
    this.departments.clearCache();
  }

  /** Closes pooled keep-alive sockets (tests, shutdown). Not needed in Lambda. */
  close(): void {
    this.ownTransport?.destroy();
  }
}

export function createMoncreneauClient(options: MoncreneauClientOptions): MoncreneauClient {
  return new MoncreneauClient(options);
}
