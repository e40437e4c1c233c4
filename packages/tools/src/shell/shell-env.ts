/**
 * Environment variable names that look like they hold a secret. `AUTH` and `PAT` count
 * only as whole words so `GIT_AUTHOR_NAME` and `PATH` stay.
 */
export const SECRET_ENV_NAME =
  /KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|PRIVATE|(?:^|_)(?:AUTH|PAT)(?:_|$)/i;

/** Variables set for every command so nothing waits for a person at a terminal. */
export const NON_INTERACTIVE_ENV: Readonly<Record<string, string>> = {
  PAGER: "cat",
  GIT_PAGER: "cat",
  MANPAGER: "cat",
  GIT_TERMINAL_PROMPT: "0",
  GCM_INTERACTIVE: "never",
  TERM: "dumb",
  NO_COLOR: "1",
};

/**
 * Builds the environment of a `run_shell` command: the current environment without the
 * variables whose names look like secrets (unless allowed), plus settings that turn off
 * pagers, colours and password prompts.
 *
 * @param base - The environment to start from.
 * @param allow - Names passed on even though they look like secrets.
 * @returns A new environment object.
 */
export function buildShellEnv(
  base: NodeJS.ProcessEnv,
  allow: readonly string[] = [],
): NodeJS.ProcessEnv {
  const fold = process.platform === "win32";
  const allowed = new Set(allow.map((name) => (fold ? name.toUpperCase() : name)));
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(base)) {
    if (value === undefined) continue;
    if (SECRET_ENV_NAME.test(name) && !allowed.has(fold ? name.toUpperCase() : name)) continue;
    env[name] = value;
  }
  Object.assign(env, NON_INTERACTIVE_ENV);
  // An editor started by git (commit without -m, rebase -i) would wait for ever.
  if (process.platform !== "win32") env.GIT_EDITOR = "true";
  return env;
}
