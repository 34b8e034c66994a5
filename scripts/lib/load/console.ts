/**
 * The load runs' console: the functions' own output (thousands of JSON log lines, re-emitted from their
 * worker threads) is swallowed while a run goes, and the run speaks through `say` (a line) and `progress`
 * (one line rewritten in place on a terminal, one line every 10 s otherwise).
 */
export interface RunConsole {
  say(line?: string): void;
  progress(line: string): void;
  restore(): void;
}

export function quietConsole(): RunConsole {
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  const tty = Boolean(process.stderr.isTTY);
  let lastPrinted = 0;
  let pending = false;
  (process.stdout as unknown as { write: () => boolean }).write = () => true;
  (process.stderr as unknown as { write: () => boolean }).write = () => true;
  const endProgress = () => {
    if (pending && tty) err('\n');
    pending = false;
  };
  return {
    say(line = '') {
      endProgress();
      out(`${line}\n`);
    },
    progress(line) {
      if (tty) {
        err(`\r\x1b[2K${line.slice(0, (process.stderr.columns || 200) - 1)}`);
        pending = true;
      } else if (Date.now() - lastPrinted >= 10_000) {
        err(`${line}\n`);
        lastPrinted = Date.now();
      }
    },
    restore() {
      endProgress();
      (process.stdout as unknown as { write: typeof out }).write = out;
      (process.stderr as unknown as { write: typeof err }).write = err;
    },
  };
}
