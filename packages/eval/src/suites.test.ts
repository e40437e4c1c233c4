// The suites shipped in the repository load, and hold what their READMEs promise.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadSuite } from "./suite/load-suite.js";

const evals = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../evals");

describe("the shipped suites", () => {
  it("starter: 16 Python and TypeScript tasks of the seed's kinds, each with passing and failing recordings", async () => {
    const suite = await loadSuite(path.join(evals, "starter"));
    expect(suite.tasks).toHaveLength(16);
    const count = (language: string) => suite.tasks.filter((t) => t.language === language).length;
    expect([count("python"), count("typescript")]).toEqual([8, 8]);
    expect(new Set(suite.tasks.map((task) => task.kind))).toEqual(
      new Set([
        "fix-failing-test",
        "docstrings",
        "rename",
        "fix-lint",
        "readme",
        "port-test",
        "multi-file",
      ]),
    );
    for (const task of suite.tasks) {
      const expected = task.recordings.map((recording) => recording.expect).sort();
      const partial = task.checks.some((check) => check.partial);
      expect(expected, task.id).toEqual(partial ? ["fail", "partial", "pass"] : ["fail", "pass"]);
      // Offline with what CI has: only node and python3 start a check.
      for (const check of task.checks)
        expect(check.run, task.id).toMatch(/^(PYTHONPATH=\S+ )?(node|python3) /);
    }
  });

  it("requests: fixes from psf/requests' history, each starting at the fix's parent and checked by its tests", async () => {
    const suite = await loadSuite(path.join(evals, "requests"));
    expect(suite.tasks.length).toBeGreaterThanOrEqual(10);
    for (const task of suite.tasks) {
      expect(task.fixture).toMatchObject({
        kind: "git",
        repository: "https://github.com/psf/requests",
      });
      expect(task.overlay).toMatchObject({ kind: "commit" });
      const start = task.fixture.kind === "git" ? task.fixture.commit : "";
      const fix = task.overlay?.kind === "commit" ? task.overlay.commit : "";
      expect(
        [start, fix].every((sha) => /^[0-9a-f]{40}$/.test(sha)),
        task.id,
      ).toBe(true);
      expect(start).not.toBe(fix);
      expect(task.links.at(-1)).toBe(`https://github.com/psf/requests/commit/${fix}`);
    }
  });
});
