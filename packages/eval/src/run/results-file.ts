import { promises as fs } from "node:fs";
import path from "node:path";
import { type RunRecord, runRecordSchema } from "./run-record.js";

/** The results file's name in the results folder. */
export const RESULTS_FILE = "results.jsonl";

/** What was read back from a results file. */
export interface ReadResults {
  /** The valid records, in file order (a later record of the same key replaces an earlier one). */
  records: RunRecord[];
  /** Lines that were skipped (torn by an interruption, or not a valid record), as sentences. */
  warnings: string[];
}

/**
 * Reads a results file back. Lines are checked as if anyone could have written them: a
 * line that is not a valid record (a torn last line after a crash, a hand edit) is
 * skipped with a warning, so that run simply runs again.
 *
 * @param file - The results file; a missing one has no records.
 * @returns The records and warnings.
 */
export async function readResults(file: string): Promise<ReadResults> {
  const text = await fs.readFile(file, "utf8").catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return "";
    throw error;
  });
  const byKey = new Map<string, RunRecord>();
  const warnings: string[] = [];
  for (const [index, line] of text.split("\n").entries()) {
    if (line.trim() === "") continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      warnings.push(`${file}:${index + 1} is not JSON (cut off?); that run runs again.`);
      continue;
    }
    const parsed = runRecordSchema.safeParse(value);
    if (!parsed.success) {
      warnings.push(`${file}:${index + 1} is not a results record; that run runs again.`);
      continue;
    }
    byKey.set(parsed.data.key, parsed.data as RunRecord);
  }
  return { records: [...byKey.values()], warnings };
}

/**
 * Appends records to a results file, one line each, one write at a time, so concurrent
 * runs never interleave their lines and an interruption loses at most the line being
 * written.
 */
export class ResultsWriter {
  private queue: Promise<void> = Promise.resolve();

  /**
   * Creates a writer.
   *
   * @param file - The results file (its folder is created on the first write).
   */
  constructor(readonly file: string) {}

  /**
   * Appends one record.
   *
   * @param record - The finished run.
   * @returns Once the line is written.
   */
  append(record: RunRecord): Promise<void> {
    const write = async () => {
      await fs.mkdir(path.dirname(this.file), { recursive: true });
      // A file cut off mid-line by a crash gets a newline first, so this line stays whole.
      const size = await fs.stat(this.file).then(
        (s) => s.size,
        () => 0,
      );
      let prefix = "";
      if (size > 0) {
        const handle = await fs.open(this.file, "r");
        try {
          const last = Buffer.alloc(1);
          await handle.read(last, 0, 1, size - 1);
          if (last.toString() !== "\n") prefix = "\n";
        } finally {
          await handle.close();
        }
      }
      await fs.appendFile(this.file, `${prefix}${JSON.stringify(record)}\n`);
    };
    this.queue = this.queue.then(write, write);
    return this.queue;
  }
}
