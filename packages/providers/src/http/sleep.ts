import { abortError } from "@gemma-coder/core/internal";
import type { SleepFunction } from "./options.js";

/**
 * Waits with a timer, rejecting with the SDK's `aborted` error when the signal fires.
 *
 * @param ms - Milliseconds to wait.
 * @param signal - Cancels the wait.
 * @returns A promise that resolves after `ms`.
 */
export const defaultSleep: SleepFunction = (ms, signal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortError(signal));
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError(signal));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
