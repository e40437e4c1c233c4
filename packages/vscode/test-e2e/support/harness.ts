// A small sequential test harness for the extension host: each test runs after the
// previous one (they share one VS Code window), its result is logged, and `runTests`
// throws at the end when any failed, which the workbench turns into exit code 1.

/** One test: a name and a body. */
export interface HostTest {
  name: string;
  body: () => Promise<void>;
}

/**
 * Runs the tests in order, logging `✓ name` or `✗ name: error` for each.
 *
 * @param suite - The suite's name, for the log.
 * @param tests - The tests.
 * @param afterEach - Runs after every test, passed or failed (resets shared state).
 * @throws Error listing the failed tests when any failed.
 */
export async function runTests(
  suite: string,
  tests: HostTest[],
  afterEach: () => Promise<void> = async () => {},
): Promise<void> {
  const only = process.env.VSCODE_TEST_ONLY;
  const failed: string[] = [];
  const chosen = tests.filter((test) => !only || test.name.includes(only));
  for (const test of chosen) {
    const started = Date.now();
    console.log(`${suite}: ▶ ${test.name}`);
    try {
      await test.body();
      console.log(`${suite}: ✓ ${test.name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    } catch (error) {
      failed.push(test.name);
      const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
      console.error(`${suite}: ✗ ${test.name}: ${text}`);
    } finally {
      await afterEach().catch((error: unknown) => {
        console.error(`${suite}: cleaning up after "${test.name}" failed: ${String(error)}`);
      });
    }
  }
  if (failed.length > 0) throw new Error(`${suite}: ${failed.length} failed: ${failed.join("; ")}`);
  console.log(`${suite}: all ${chosen.length} passed`);
}

/**
 * Waits until a condition holds, checking every 50 ms. The limits are generous on purpose:
 * the machine is slow and shared, and a test waits on what happens, never on the clock.
 *
 * @param condition - What to wait for.
 * @param what - Named in the error when the time runs out.
 * @param timeoutMs - The limit (default 60 s).
 * @returns The condition's first truthy value.
 */
export async function until<T>(
  condition: () => T | Promise<T>,
  what: string,
  timeoutMs = 60_000,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Asserts that a text contains a part, showing both when it does not.
 *
 * @param text - The text.
 * @param part - What it must contain.
 * @param what - What the text is, for the message.
 */
export function assertIncludes(text: string, part: string, what: string): void {
  if (!text.includes(part)) {
    throw new Error(
      `${what}: expected it to contain ${JSON.stringify(part)}, got ${JSON.stringify(text)}`,
    );
  }
}
