import type { Colors } from "./colors.js";

const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/** A one-line spinner on a terminal stream; it does nothing on anything else. */
export class Spinner {
  private timer: ReturnType<typeof setInterval> | undefined;
  private frame = 0;
  private label: () => string = () => "";

  /**
   * @param stream - Where to draw (stderr, so stdout stays clean).
   * @param colors - Colours for that stream.
   * @param enabled - Draw at all (only on a terminal).
   */
  constructor(
    private readonly stream: NodeJS.WritableStream,
    private readonly colors: Colors,
    private readonly enabled: boolean,
  ) {}

  /** Whether it is drawing now. */
  get active(): boolean {
    return this.timer !== undefined;
  }

  /**
   * Starts (or relabels) the spinner.
   *
   * @param label - Called on every frame, so counters in it stay live.
   */
  start(label: () => string): void {
    this.label = label;
    if (!this.enabled || this.timer) return;
    this.draw();
    this.timer = setInterval(() => this.draw(), 100);
    this.timer.unref?.();
  }

  /** Stops and erases the spinner line. */
  stop(): void {
    if (!this.timer) return;
    clearInterval(this.timer);
    this.timer = undefined;
    this.stream.write("\r\x1b[2K");
  }

  private draw(): void {
    this.frame = (this.frame + 1) % FRAMES.length;
    this.stream.write(`\r\x1b[2K${this.colors.cyan(FRAMES[this.frame] ?? "")} ${this.label()}`);
  }
}
