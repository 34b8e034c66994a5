/** Building the client from the environment (local mode: MONCRENEAU_API_KEY, no AWS call). */
import { ConfigurationError } from '../../shared/moncreneau/client';
import { moncreneauClientFromEnv } from '../../shared/composition/moncreneau-client';
import { startScriptServer } from '../support/http-script-server';

describe('moncreneauClientFromEnv', () => {
  it('reads the key from MONCRENEAU_API_KEY locally and honours the auth scheme', async () => {
    const server = await startScriptServer(() => ({ status: 200, json: [] }));
    const env = { MONCRENEAU_BASE_URL: server.baseUrl, MONCRENEAU_API_KEY: 'mk_test_env', MONCRENEAU_AUTH_SCHEME: 'bearer', MONCRENEAU_TIMEOUT_MS: '2000' };
    const client = moncreneauClientFromEnv({}, env);
    try {
      await client.departments.list();
      expect(server.requests[0].headers.authorization).toBe('Bearer mk_test_env');
      expect(client.options.attemptTimeoutMs).toBe(2000);
    } finally {
      client.close();
      await server.close();
    }
  });

  it('fails clearly on a missing key or bad settings, without echoing secrets', async () => {
    const server = await startScriptServer(() => ({ status: 200, json: [] }));
    const client = moncreneauClientFromEnv({}, { MONCRENEAU_BASE_URL: server.baseUrl });
    try {
      await expect(client.departments.list()).rejects.toBeInstanceOf(ConfigurationError);
      expect(server.requests).toHaveLength(0);
    } finally {
      client.close();
      await server.close();
    }
    expect(() => moncreneauClientFromEnv({}, { MONCRENEAU_AUTH_SCHEME: 'basic' })).toThrow(ConfigurationError);
    expect(() => moncreneauClientFromEnv({}, { MONCRENEAU_BASE_URL: 'http://example.com/api/v1' })).toThrow(/https/);
  });
});
