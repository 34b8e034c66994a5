/** testSecret for the API key: one GET /departments with the candidate key only; 401/403 = refused. */
import { AuthenticationError, ForbiddenError, MoncreneauError } from '../moncreneau/client/errors';
import type { MoncreneauClient } from '../moncreneau/client/client';
import type { KeyTester } from './ports';

/** `clientFor(key)` builds a client that authenticates with that key and nothing else. */
export function departmentsKeyTester(clientFor: (apiKey: string) => MoncreneauClient): KeyTester {
  return async (apiKey) => {
    const client = clientFor(apiKey);
    try {
      await client.departments.list();
      return { kind: 'accepted' };
    } catch (error) {
      if (error instanceof AuthenticationError || error instanceof ForbiddenError) return { kind: 'refused', status: error.status ?? 0, code: error.code };
      return { kind: 'unavailable', reason: error instanceof MoncreneauError ? error.code : (error as Error).name };
    } finally {
      client.close();
    }
  };
}
