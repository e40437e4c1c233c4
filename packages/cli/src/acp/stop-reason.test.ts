import type { RunResult } from "@gemma-coder/core";
import { expect, it } from "vitest";
import { toStopReason } from "./stop-reason.js";

const result = (status: RunResult["status"], stopReason: RunResult["stopReason"]) =>
  ({ status, stopReason }) as RunResult;

it("maps each way a run ends to the ACP stop reason", () => {
  expect(toStopReason(result("done", "done"), "stop")).toBe("end_turn");
  expect(toStopReason(result("failed", "max-steps"), "stop")).toBe("max_turn_requests");
  expect(toStopReason(result("failed", "invalid-replies"), "length")).toBe("max_tokens");
  expect(toStopReason(result("aborted", "aborted"), "abort")).toBe("cancelled");
  expect(toStopReason(result("failed", "repeated-calls"), "stop")).toBe("end_turn");
});
