// The loopback model server the tests give the extension: it speaks Ollama's wire format
// (NDJSON /api/chat, /api/tags, /api/show) with scripted replies and records every request.
// It is the CLI's end-to-end fixture, shared so that both test suites drive the same fake
// backend.
export {
  call,
  deadPort,
  type ModelServer,
  startModelServer,
} from "../../../cli/src/__fixtures__/model-server.mjs";
