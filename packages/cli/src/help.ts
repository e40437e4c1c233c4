// This module is loaded on its own by the launcher for `--help`: it must import nothing.

/** The text `gemma-coder --help` prints. */
export const HELP_TEXT = `gemma-coder: a coding agent for small local models.

Usage
  gemma-coder [options] "<task>"
  gemma-coder --continue ["<follow-up>"]       continue the latest session
  gemma-coder --resume <id> ["<follow-up>"]    continue a session (id or unique prefix)
  gemma-coder undo [run-id] [--force]          take back the last (or that) run's changes
  gemma-coder demo [folder]                    replay a recorded session, no model needed
  gemma-coder sessions                         list this workspace's sessions
  gemma-coder acp [model and run options]      serve an editor over the Agent Client
                                               Protocol on stdio (see docs/editors.md)
  gemma-coder mcp [model and run options]      serve run_task to an MCP host (Claude Code,
                                               Codex, ...) on stdio (see docs/mcp.md)
  gemma-coder eval <suite> [eval options]      run a task suite against a model and print
                                               pass / partial / fail per model (docs/eval.md)
  gemma-coder map ["<task>"] [--tokens <n>] [--focus <path>]...
                                               print the repository map a run would get

Examples
  gemma-coder "fix the failing pytest in tests/test_api.py"
  gemma-coder --provider ollama --model gemma4:e2b "add docstrings to src/utils.py"
  gemma-coder --read-only "explain what src/server.ts does"
  gemma-coder --yes --max-steps 20 --timeout 10m "make npm run lint pass"
  gemma-coder --json "rename getUser to fetchUser" > events.ndjson
  gemma-coder --continue "also update the README"
  gemma-coder --resume 20250102-0304 --yes
  gemma-coder undo
  gemma-coder demo
  gemma-coder map "rename parse_config" --tokens 500

Model
  --provider <name>   ollama | openrouter | llama-cpp | embedded
                      (default: what is configured, else what is found running)
  -m, --model <id>    model id or tag (ollama: gemma4:e4b; embedded: a .gguf path)
  --base-url <url>    server address (ollama, llama-cpp)
  --constrained <m>   grammar | json | off: let the backend enforce well-formed calls
                      (default: grammar on llama-cpp and embedded, off elsewhere)
  --protocol <p>      text | native | json: how the model makes tool calls
                      (default text; native = the backend's tool API, not embedded)

Run
  -y, --yes           allow file changes and commands without asking
  --download          download the default model for the embedded engine without
                      asking (--yes alone never starts a multi-GB download)
  --read-only         offer only tools that read (read_file, list_files, search)
  --max-steps <n>     most model turns (default 40)
  --timeout <time>    wall-clock limit: 90, 90s, 10m, 1h (default: none)
  -C, --cwd <dir>     workspace folder (default: the current folder)
  --trust-project     use this project's provider, baseUrl, sessionsDir and mcpServers
                      for this run (otherwise asked once on a terminal, ignored without one)
  --mcp-config <file> add the tools of the MCP servers in this JSON file ({"mcpServers":
                      {...}}, as other hosts write it; see docs/mcp.md)
  --rules <file>      use this rulebook instead of AGENTS.md / CLAUDE.md / the default
  --no-rules          no rulebook at all

Map (see docs/repo-map.md)
  --tokens <n>        map: the budget (default: an eighth of the context window,
                      1,024 at 8k; config key repoMap: a number, or false for no map)
  --focus <path>      map: centre on this file (repeat for more)

Sessions (each run records a transcript and checkpoints its changes)
  --continue          continue the latest session; the words are a follow-up message
  --resume [id]       continue a session by id or unique prefix (no id: the latest);
                      a finished session needs a follow-up message
  --no-session        record nothing (no transcript, no undo)
  --sessions-dir <d>  where sessions are kept (default: the user data folder, one per
                      workspace, e.g. ~/.local/share/gemma-coder/sessions/<name>-<hash>;
                      env GEMMA_CODER_SESSIONS_DIR)
  --force             undo: also overwrite files changed since the run

Output
  --json              one JSON event per line on stdout (for scripts and CI)
  --verbose           raw model text, context events and error details
  -v, --version       print the version
  -h, --help          print this help

Eval (gemma-coder eval <suite> ...)
  --model <id>        repeat to compare models; --constrained <m> repeats the same way
  --variants <file>   compare option sets from a JSON file; --set key=value for all
  --repeat <k>        runs per task (pass@1 and spread); --concurrency <n> at a time
  --tasks <a,b>       only these tasks; --out <dir> results (resumed when run again)
  --replay            play each task's recordings; exit 0 when each scores as recorded
  --json, --report <file>, --fresh, --keep-workspaces (see docs/eval.md)

Configuration (first found wins)
  flags > environment > .gemma-coder/config.json (project)
        > $XDG_CONFIG_HOME/gemma-coder/config.json (user) > detection
  The project file is looked for up to the repository root (the folder with .git).
  Its provider, baseUrl, sessionsDir, a model file and verify (commands run after
  every edit) apply only in a trusted folder; apiKey is
  never allowed there, and a key goes only to the host it was configured for.
  Environment: GEMMA_CODER_PROVIDER, GEMMA_CODER_MODEL, GEMMA_CODER_BASE_URL,
  OLLAMA_HOST, OPENROUTER_API_KEY, GEMMA_CODER_CACHE (models), NO_COLOR.

Exit codes
  0 done   1 failed or stopped by a limit (also: a .gguf that cannot be loaded, or
           changes refused for want of a terminal)   2 usage or configuration error
  130 interrupted (Ctrl-C; press it twice to quit at once)
  143 stopped by SIGTERM, 129 by SIGHUP (running commands are killed first)
  undo: 0 undone   1 some files were left alone (changed since; see --force)
        2 unknown run or nothing to undo
`;
