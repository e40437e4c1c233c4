// This module is loaded on its own by the launcher for `--help`: it must import nothing.

/** The text `gemma-coder --help` prints. */
export const HELP_TEXT = `gemma-coder: a coding agent for small local models.

Usage
  gemma-coder [options] "<task>"

Examples
  gemma-coder "fix the failing pytest in tests/test_api.py"
  gemma-coder --provider ollama --model gemma4:e2b "add docstrings to src/utils.py"
  gemma-coder --read-only "explain what src/server.ts does"
  gemma-coder --yes --max-steps 20 --timeout 10m "make npm run lint pass"
  gemma-coder --json "rename getUser to fetchUser" > events.ndjson

Model
  --provider <name>   ollama | openrouter | llama-cpp | embedded
                      (default: what is configured, else what is found running)
  -m, --model <id>    model id or tag (ollama: gemma4:e4b; embedded: a .gguf path)
  --base-url <url>    server address (ollama, llama-cpp)

Run
  -y, --yes           allow file changes and commands without asking
  --read-only         offer only tools that read (read_file, list_files, search)
  --max-steps <n>     most model turns (default 40)
  --timeout <time>    wall-clock limit: 90, 90s, 10m, 1h (default: none)
  -C, --cwd <dir>     workspace folder (default: the current folder)
  --rules <file>      use this rulebook instead of AGENTS.md / CLAUDE.md / the default
  --no-rules          no rulebook at all

Output
  --json              one JSON event per line on stdout (for scripts and CI)
  --verbose           raw model text, context events and error details
  -v, --version       print the version
  -h, --help          print this help

Configuration (first found wins)
  flags > environment > .gemma-coder/config.json (project)
        > $XDG_CONFIG_HOME/gemma-coder/config.json (user) > detection
  Environment: GEMMA_CODER_PROVIDER, GEMMA_CODER_MODEL, GEMMA_CODER_BASE_URL,
  OLLAMA_HOST, OPENROUTER_API_KEY, GEMMA_CODER_CACHE (models), NO_COLOR.

Exit codes
  0 done   1 failed or stopped by a limit   2 usage or configuration error
  130 interrupted (Ctrl-C; press it twice to quit at once)
`;
