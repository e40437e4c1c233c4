/**
 * Environment variable names that look like they hold a secret: keys, tokens, passwords
 * and passphrases, credentials, cookies, JWTs, DSNs, webhooks, and connection strings of
 * databases and queues (`DATABASE_URL`, `REDIS_URL`, `MONGODB_URI`...). Short words
 * count only as whole words (`_PASS`, `_PWD`, `AUTH`, `PAT`), so `PWD`, `OLDPWD`,
 * `PATH`, `PASSAGE` and `GIT_AUTHOR_NAME` stay.
 */
export const SECRET_ENV_NAME = new RegExp(
  [
    "KEY|TOKEN|SECRET|PASSWORD|PASSWD|PASSPHRASE|CREDENTIAL|PRIVATE|COOKIE|JWT|DSN|WEBHOOK",
    "CONNECTION_?STRING",
    "(?:^|_)(?:AUTH|PAT)(?:_|$)",
    "_(?:PASS|PWD)(?:_|$)",
    "(?:^|_)(?:DATABASE|DB|REDIS|MONGO(?:DB)?|POSTGRES(?:QL)?|PG|MYSQL|MARIADB|AMQP|RABBITMQ|KAFKA|ELASTIC(?:SEARCH)?|MEMCACHED?|BROKER|CELERY_BROKER)_(?:URL|URI|DSN)$",
  ].join("|"),
  "i",
);

/** A URL with a user name or password in it (`scheme://user:pass@host`, `https://token@host`). */
const URL_WITH_CREDENTIALS = /[a-z][a-z0-9+.-]*:\/\/[^\s/@]+@/i;

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
 * variables that look like secrets (a name matching {@link SECRET_ENV_NAME} or one of
 * `hide`, or a value that is a URL with credentials, such as a proxy with a password),
 * unless their name is in `allow`, plus settings that turn off pagers, colours and
 * password prompts.
 *
 * @param base - The environment to start from.
 * @param allow - Names passed on even though they look like secrets.
 * @param hide - More names to drop: exact, or a prefix ending in `*` (`ACME_*`).
 * @returns A new environment object.
 */
export function buildShellEnv(
  base: NodeJS.ProcessEnv,
  allow: readonly string[] = [],
  hide: readonly string[] = [],
): NodeJS.ProcessEnv {
  const fold = process.platform === "win32";
  const key = (name: string) => (fold ? name.toUpperCase() : name);
  const allowed = new Set(allow.map(key));
  const hidden = hide.map(key);
  const isHidden = (name: string) =>
    hidden.some((pattern) =>
      pattern.endsWith("*") ? name.startsWith(pattern.slice(0, -1)) : name === pattern,
    );
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(base)) {
    if (value === undefined) continue;
    const secret =
      SECRET_ENV_NAME.test(name) || URL_WITH_CREDENTIALS.test(value) || isHidden(key(name));
    if (secret && !allowed.has(key(name))) continue;
    env[name] = value;
  }
  Object.assign(env, NON_INTERACTIVE_ENV);
  // An editor started by git (commit without -m, rebase -i) would wait for ever.
  if (process.platform !== "win32") env.GIT_EDITOR = "true";
  return env;
}
