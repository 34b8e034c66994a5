/** Keys and secrets never appear in full in logs or listings: keep a recognisable prefix and the last 4. */
export function maskSecret(value: string): string {
  if (value.length <= 12) return `${value.slice(0, 3)}…`;
  const prefixEnd = value.startsWith('whsec_') ? 6 : value.startsWith('mk_test_') ? 8 : value.startsWith('mk_live_') ? 8 : 3;
  return `${value.slice(0, prefixEnd)}…${value.slice(-4)}`;
}
