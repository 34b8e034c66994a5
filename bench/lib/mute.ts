/**
 * Swallows stdout and stderr while a measurement runs: handlers still serialise their JSON logs and EMF
 * metrics (their real cost is measured), but thousands of lines — and the local runtime's own notices,
 * re-emitted from its worker threads — don't bury the figures.
 */
export async function muted<T>(work: () => Promise<T>): Promise<T> {
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  (process.stdout as unknown as { write: () => boolean }).write = () => true;
  (process.stderr as unknown as { write: () => boolean }).write = () => true;
  try {
    const result = await work();
    // Worker threads' output arrives a little after their work: let it land while still muted.
    await new Promise((resolve) => setTimeout(resolve, 200));
    return result;
  } finally {
    (process.stdout as unknown as { write: typeof out }).write = out;
    (process.stderr as unknown as { write: typeof err }).write = err;
  }
}
