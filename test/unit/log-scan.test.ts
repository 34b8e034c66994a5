import { findLeaks } from '../support/log-scan';

describe('log leak scanner (used on the whole suite\'s output)', () => {
  it('finds webhook secrets, API keys and signature values', () => {
    const hex = 'a'.repeat(64);
    expect(findLeaks('{"msg":"x","secret":"whsec_abcdef123456"}').map((l) => l.kind)).toEqual(['webhook secret']);
    expect(findLeaks('key=mk_live_abcdef12345').map((l) => l.kind)).toEqual(['API key']);
    expect(findLeaks(`{"sig":"sha256=${hex}"}`).map((l) => l.kind)).toEqual(['signature value']);
    expect(findLeaks('plain text with a known value', ['known value']).map((l) => l.kind)).toEqual(['known secret']);
  });
  it('passes ordinary log lines and never echoes the full secret in its report', () => {
    expect(findLeaks('{"level":"INFO","message":"Webhook accepted","eventId":"evt_abc123"}')).toEqual([]);
    const [leak] = findLeaks('secret is whsec_supersecretvalue');
    expect(leak.excerpt).not.toContain('whsec_supersecretvalue');
  });
});
