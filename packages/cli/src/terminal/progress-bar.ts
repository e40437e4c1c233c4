/**
 * Formats a byte count: `512 B`, `12.4 MB`, `3.1 GB` (decimal units, as download sizes
 * are usually given).
 *
 * @param bytes - The count.
 * @returns Text.
 */
export function formatBytes(bytes: number): string {
  const units = ["B", "kB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

/**
 * A download progress bar on stderr: redrawn in place on a terminal, a line every 10%
 * otherwise (so logs stay readable).
 */
export class ProgressBar {
  private lastDecile = -1;
  private drawn = false;
  private readonly started = performance.now();

  /**
   * @param stream - Where to draw.
   * @param label - What is downloading.
   */
  constructor(
    private readonly stream: { write(text: string): unknown; isTTY?: boolean | undefined },
    private readonly label: string,
  ) {}

  /**
   * Shows progress.
   *
   * @param done - Bytes so far (including what a resumed download already had).
   * @param total - Bytes in all, when known.
   */
  update(done: number, total: number | undefined): void {
    const seconds = (performance.now() - this.started) / 1000;
    const rate = seconds > 0.5 ? ` ${formatBytes(done / seconds)}/s` : "";
    const fraction = total ? Math.min(1, done / total) : undefined;
    if (this.stream.isTTY) {
      const width = 24;
      const filled = fraction === undefined ? 0 : Math.round(fraction * width);
      const bar =
        fraction === undefined
          ? ""
          : `[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}% `;
      this.stream.write(
        `\r\x1b[2K${this.label} ${bar}${formatBytes(done)}${total ? ` / ${formatBytes(total)}` : ""}${rate}`,
      );
      this.drawn = true;
      return;
    }
    const decile = fraction === undefined ? -1 : Math.floor(fraction * 10);
    if (decile > this.lastDecile) {
      this.lastDecile = decile;
      this.stream.write(
        `${this.label}: ${formatBytes(done)}${total ? ` / ${formatBytes(total)} (${decile * 10}%)` : ""}\n`,
      );
    }
  }

  /** Ends the bar's line. */
  done(): void {
    if (this.drawn) this.stream.write("\n");
    this.drawn = false;
  }
}
