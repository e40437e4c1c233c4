import pc from "picocolors";
import type { Env } from "../config/resolve-settings.js";

/** Colour functions; all identity functions when colour is off. */
export type Colors = ReturnType<typeof pc.createColors>;

/**
 * Colours for one output stream: on for a terminal, off when `NO_COLOR` is set (to
 * anything but an empty string) or `TERM=dumb`, forced on by `FORCE_COLOR`.
 *
 * @param stream - The stream written to.
 * @param env - The environment.
 * @returns The colour functions.
 */
export function colorsFor(stream: { isTTY?: boolean | undefined }, env: Env): Colors {
  const noColor = env.NO_COLOR !== undefined && env.NO_COLOR !== "";
  const force =
    env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== "0" && env.FORCE_COLOR !== "false";
  return pc.createColors(!noColor && env.TERM !== "dumb" && (force || stream.isTTY === true));
}
