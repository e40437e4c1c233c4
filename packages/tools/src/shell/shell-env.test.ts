import { describe, expect, it } from "vitest";
import { buildShellEnv, SECRET_ENV_NAME } from "./shell-env.js";

describe("buildShellEnv", () => {
  it("drops names that look like secrets and keeps the rest", () => {
    const env = buildShellEnv(
      {
        PATH: "/bin",
        HOME: "/home/a",
        OPENROUTER_API_KEY: "x",
        AWS_SECRET_ACCESS_KEY: "x",
        GH_TOKEN: "x",
        PGPASSWORD: "x",
        GOOGLE_APPLICATION_CREDENTIALS: "x",
        SSH_AUTH_SOCK: "x",
        GH_PAT: "x",
        GIT_AUTHOR_EMAIL: "a@b.c",
        AUTHOR: "kept",
      },
      ["PGPASSWORD"],
    );
    expect(Object.keys(env).sort()).toEqual(
      [
        "AUTHOR",
        "GCM_INTERACTIVE",
        "GIT_AUTHOR_EMAIL",
        "GIT_PAGER",
        "GIT_TERMINAL_PROMPT",
        "HOME",
        "MANPAGER",
        "NO_COLOR",
        "PAGER",
        "PATH",
        "PGPASSWORD",
        "TERM",
        ...(process.platform === "win32" ? [] : ["GIT_EDITOR"]),
      ].sort(),
    );
  });

  it("matches the documented secret names", () => {
    for (const name of [
      "API_KEY",
      "token",
      "MY_SECRET",
      "DB_PASSWD",
      "AUTH",
      "X_AUTH_Y",
      "PRIVATE_PEM",
    ]) {
      expect(SECRET_ENV_NAME.test(name), name).toBe(true);
    }
    for (const name of ["PATH", "AUTHOR", "OAUTHLIB_X", "HOME", "LANG"]) {
      expect(SECRET_ENV_NAME.test(name), name).toBe(false);
    }
  });

  it("drops every secret-looking name of issue 13 and values that are URLs with credentials", () => {
    const secrets: Record<string, string> = {
      DATABASE_URL: "postgres://app@db/app",
      MYSQL_PWD: "x",
      DB_PASS: "x",
      SMTP_PASS: "x",
      REDIS_URL: "redis://cache:6379/0",
      MONGODB_URI: "mongodb://db/app",
      SENTRY_DSN: "https://abc@o1.ingest.sentry.io/1",
      SLACK_WEBHOOK_URL: "https://hooks.slack.com/services/T/B/X",
      CI_JOB_JWT: "eyJ",
      GPG_PASSPHRASE: "x",
      SSH_KEY_PASSPHRASE: "x",
      COOKIE: "sid=1",
      JWT: "eyJ",
      https_proxy: "http://user:pass@proxy:3128",
      HTTPS_PROXY: "http://user:pass@proxy:3128",
      ALL_PROXY: "socks5://u:p@proxy:1080",
      UPSTREAM: "https://token@git.example.com/repo.git",
    };
    const kept: Record<string, string> = {
      PATH: "/bin",
      PWD: "/work",
      OLDPWD: "/",
      HTTP_PROXY: "http://proxy:3128",
      NO_PROXY: "localhost",
      HOME: "/home/a",
      SHELL: "/bin/bash",
      PASSAGE: "kept",
      COMPASS: "kept",
      LANG: "C.UTF-8",
    };
    const env = buildShellEnv({ ...secrets, ...kept });
    for (const name of Object.keys(secrets)) expect(env[name], name).toBeUndefined();
    for (const [name, value] of Object.entries(kept)) expect(env[name], name).toBe(value);
  });

  it("drops the names the user adds, exactly or by a * pattern, and allowEnv still wins", () => {
    const env = buildShellEnv(
      { INTERNAL_THING: "x", ACME_ONE: "1", ACME_TWO: "2", KEEP: "k", GH_TOKEN: "t" },
      ["GH_TOKEN"],
      ["INTERNAL_THING", "ACME_*"],
    );
    expect(env.INTERNAL_THING).toBeUndefined();
    expect(env.ACME_ONE).toBeUndefined();
    expect(env.ACME_TWO).toBeUndefined();
    expect(env.KEEP).toBe("k");
    expect(env.GH_TOKEN).toBe("t");
  });
});
