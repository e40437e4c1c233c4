/**
 * The Node.js-only parts of `@gemma-coder/core`. The root entry runs in any JavaScript
 * runtime with `fetch` (it is bundled for the browser in CI); what needs `node:fs` lives
 * here, so a bundler never meets it unless the application asks for it.
 *
 * @packageDocumentation
 */
export { nodeRulebookHost } from "./rules/node-rulebook-host.js";
