/** Options of a cache. */
export interface Options {
  /** Most entries kept. */
  maxEntries?: number;
  /** Milliseconds an entry lives. */
  ttlMs?: number;
  /** Whether a read refreshes an entry's age. */
  refreshOnRead?: boolean;
  /** Name used in log lines. */
  name?: string;
}

/** The defaults of every option. */
export const DEFAULTS: Required<Options> = {
  maxEntries: 1000,
  ttlMs: 60000,
  refreshOnRead: false,
  name: "cache",
};
