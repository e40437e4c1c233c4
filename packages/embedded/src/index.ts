export type {
  EmbeddedLogLevel,
  EmbeddedOptions,
  EmbeddedProgressEvent,
  EmbeddedProvider,
} from "./create-embedded.js";
export { createEmbedded } from "./create-embedded.js";
export type { DownloadModelOptions, DownloadProgressEvent } from "./download-model.js";
export { downloadModel } from "./download-model.js";
export type { ModelSource } from "./model-ref.js";
export {
  DEFAULT_MODEL,
  DEFAULT_MODEL_APPROX_BYTES,
  defaultCacheDir,
  EMBEDDED_DEFAULT_MODEL,
  EMBEDDED_DEFAULT_MODEL_APPROX_BYTES,
  resolveModelRef,
} from "./model-ref.js";
