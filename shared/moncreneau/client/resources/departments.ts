/** GET /departments, /departments/{id}, /departments/{id}/availability — cached (TTL) reads. */
import { TtlCache } from '../cache';
import { UnexpectedResponseError } from '../errors';
import type { RequestExecutor } from '../executor';
import type { Availability, AvailabilityQuery, CallOptions, Department, Id } from '../types';

export class DepartmentsResource {
  private readonly listCache: TtlCache<readonly Department[]>;
  private readonly oneCache: TtlCache<Department>;
  private readonly availabilityCache: TtlCache<Availability>;

  constructor(
    private readonly executor: RequestExecutor,
    ttlMs: number,
  ) {
    const now = () => executor.now();
    this.listCache = new TtlCache(ttlMs, now);
    this.oneCache = new TtlCache(ttlMs, now);
    this.availabilityCache = new TtlCache(ttlMs, now);
  }

  list(call?: CallOptions): Promise<readonly Department[]> {
    return this.listCache.getOrLoad('all', async () => {
      const res = await this.executor.execute<unknown>({ method: 'GET', route: '/departments', idempotent: true }, call);
      // Not paginated per the docs (a JSON array); tolerate a Spring page in case that changes.
      const items = Array.isArray(res.data) ? res.data : (res.data as { content?: unknown } | undefined)?.content;
      if (!Array.isArray(items)) throw unexpected('GET /departments did not return an array', res.requestId, res.status);
      return items as Department[];
    });
  }

  get(id: Id, call?: CallOptions): Promise<Department> {
    return this.oneCache.getOrLoad(String(id), async () => {
      const res = await this.executor.execute<Department>({ method: 'GET', route: '/departments/{id}', params: { id }, idempotent: true }, call);
      if (!res.data || typeof res.data !== 'object') throw unexpected('GET /departments/{id} returned no object', res.requestId, res.status);
      return res.data;
    });
  }

  availability(id: Id, query: AvailabilityQuery, call?: CallOptions): Promise<Availability> {
    return this.availabilityCache.getOrLoad(`${id}|${query.startDate}|${query.endDate}`, async () => {
      const res = await this.executor.execute<Availability>(
        { method: 'GET', route: '/departments/{id}/availability', params: { id }, query: { startDate: query.startDate, endDate: query.endDate }, idempotent: true },
        call,
      );
      if (!res.data || !Array.isArray(res.data.availability)) throw unexpected('availability response has no "availability" array', res.requestId, res.status);
      return res.data;
    });
  }

  clearCache(): void {
    this.listCache.clear();
    this.oneCache.clear();
    this.availabilityCache.clear();
  }
}

export function unexpected(message: string, requestId: string, status: number): UnexpectedResponseError {
  return new UnexpectedResponseError({ code: 'UNEXPECTED_RESPONSE', message, requestId, status });
}
