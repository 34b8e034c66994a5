/**
 * Reads a secret from stdin, never from argv or a file in the repository: piped (`pbpaste | npm run keys …`,
 * `op read … | …`) or typed at a hidden prompt. Trailing newlines are dropped.
 */
export async function readSecretFromStdin(prompt: string): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) {
    const chunks: Buffer[] = [];
    for await (const chunk of stdin) chunks.push(Buffer.from(chunk as Uint8Array));
    return Buffer.concat(chunks).toString('utf8').replace(/[\r\n]+$/, '');
  }
  process.stderr.write(`${prompt} (input hidden), then Enter: `);
  stdin.setRawMode(true);
  stdin.resume();
  stdin.setEncoding('utf8');
  return new Promise((resolve, reject) => {
    let value = '';
    const onData = (text: string) => {
      for (const c of text) {
        if (c === '\r' || c === '\n') return done();
        if (c === '\u0003') return (cleanup(), reject(new Error('cancelled')));
        if (c === '\u007f') value = value.slice(0, -1);
        else value += c;
      }
    };
    const cleanup = () => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
    };
    const done = () => {
      cleanup();
      resolve(value);
    };
    stdin.on('data', onData);
  });
}
