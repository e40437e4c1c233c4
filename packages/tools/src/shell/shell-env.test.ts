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
});
