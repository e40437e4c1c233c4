import { GemmaCoderError } from "@gemma-coder/core";

/**
 * A suite manifest, task file or recording that cannot be used: it is missing, is not
 * JSON, or a field is wrong. The message names the file and the field, so the suite's
 * author can fix it without reading the harness. Its `code` is `config`.
 */
export class EvalFileError extends GemmaCoderError {
  /** The file at fault (absolute path). */
  readonly file: string;
  /** The field at fault, as a dotted path (`checks.0.run`), or `undefined` for the whole file. */
  readonly field: string | undefined;

  /**
   * Creates the error.
   *
   * @param file - The file at fault.
   * @param field - The dotted path of the field, if one field is at fault.
   * @param problem - What is wrong, as a sentence.
   * @param cause - The underlying error, if any.
   */
  constructor(file: string, field: string | undefined, problem: string, cause?: unknown) {
    super(`${file}${field === undefined ? "" : ` (field "${field}")`}: ${problem}`, {
      code: "config",
      ...(cause === undefined ? {} : { cause }),
    });
    this.name = "EvalFileError";
    this.file = file;
    this.field = field;
  }
}
