import { findLeaks, readSuiteCapture } from './log-scan';

export default async function globalTeardown(): Promise<void> {
  await globalThis.__EMULATORS__?.stop();
  // The whole suite's captured output must hold no secret, API key or signature value.
  const leaks = findLeaks(readSuiteCapture());
  if (leaks.length > 0) {
    throw new Error(`Secrets found in the test suite's logs: ${leaks.map((l) => `${l.kind} near "${l.excerpt}"`).join('; ')}`);
  }
}
