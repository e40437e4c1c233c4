/**
 * The default rulebook: a 12-rule baseline for small models, used when the project
 * has no `AGENTS.md`/`CLAUDE.md` of its own. The source of truth is `rules/default.md`
 * at the repository root; a test keeps this copy identical.
 */
export const DEFAULT_RULES: string =
  "# Rules\n\n1. Read before you write: open the file and the code next to the change before editing it.\n2. Before adding a function, search for one that already does the job and reuse it.\n3. Follow the pattern the code already uses; never blend two different patterns into one.\n4. Make the smallest change that solves the task; do not rewrite or reformat unrelated code.\n5. Use edit_file for changes to existing files; copy the old text exactly from read_file.\n6. One tool call per reply. Keep replies short: no repeated sentences, no long plans.\n7. If a call fails, read the error and change something before retrying; never repeat an identical call.\n8. Never hide a failure: if a step fails or is only partly done, say so in done.\n9. Verify before done: run the tests or the command that proves the change works.\n10. Do not invent files, functions, APIs or results; check them with a tool.\n11. Stay inside the workspace and the task; do not touch secrets, .git or unrelated files.\n12. When finished, call done with what you changed and how you verified it.\n";
