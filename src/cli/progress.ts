/**
 * Progress of long work on the terminal (stderr, so stdout stays clean): a line that
 * rewrites itself on a terminal, and a line every 10% when the output is a log file.
 */
export function progress(label: string, stream: NodeJS.WriteStream = process.stderr): (done: number, total: number) => void {
  let lastTenth = -1;
  let lastDraw = 0;
  return (done, total) => {
    const pct = total > 0 ? Math.floor((done / total) * 100) : 100;
    const line = `${label} ${pct}%（${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')}）`;
    if (stream.isTTY) {
      const now = Date.now();
      if (now - lastDraw < 100 && done < total) return;
      lastDraw = now;
      stream.write(`\r${line}${done >= total ? '\n' : ''}`);
    } else if (Math.floor(pct / 10) > lastTenth) {
      lastTenth = Math.floor(pct / 10);
      stream.write(`${line}\n`);
    }
  };
}
