/**
 * Tees everything a test file writes (Powertools JSON logs go straight to process.stdout; console
 * calls go through Jest's per-file console) into .build/test-logs, so the global teardown can scan
 * the whole suite's output for secrets and signatures, and a test can read what its own code logged.
 *
 * The stdout/stderr tee is installed once per worker process (the streams outlive test files) and
 * forwards to whichever test file is current; console is patched per test file.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { format } from 'node:util';
import { LOG_CAPTURE_DIR } from './log-scan';

type Sink = (text: string) => void;
interface Teed {
  __logSink?: Sink;
}

const file = path.join(LOG_CAPTURE_DIR, `worker-${process.env.JEST_WORKER_ID ?? '0'}-${process.pid}.log`);
let captured = '';

function record(text: string): void {
  captured += text;
  mkdirSync(LOG_CAPTURE_DIR, { recursive: true });
  appendFileSync(file, text);
}

for (const stream of [process.stdout, process.stderr] as Array<NodeJS.WriteStream & Teed>) {
  if (!stream.__logSink) {
    const original = stream.write.bind(stream) as (...args: unknown[]) => boolean;
    (stream as unknown as { write: (...args: unknown[]) => boolean }).write = (chunk: unknown, ...rest: unknown[]) => {
      stream.__logSink?.(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
      return original(chunk, ...rest);
    };
  }
  stream.__logSink = record;
}

for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
  const original = console[method].bind(console);
  console[method] = (...args: unknown[]) => {
    record(`${format(...args)}\n`);
    original(...args);
  };
}

/** What this test file has written so far. */
export function capturedLogs(): string {
  return captured;
}
