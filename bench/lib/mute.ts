/**
 * Swallows stdout while a measurement runs: handlers still serialise their JSON logs and EMF
 * metrics (their real cost is measured), but thousands of lines don't bury the figures.
 */
export async function muted<T>(work: () => Promise<T>): Promise<T> {
  const original = process.stdout.write.bind(process.stdout);
  (process.stdout as unknown as { write: () => boolean }).write = () => true;
  try {
    return await work();
  } finally {
    (process.stdout as unknown as { write: typeof original }).write = original;
  }
}
