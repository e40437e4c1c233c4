// The workbench URL that makes code-server run extension tests: the folder to open, the
// extension under development and the tests file, as the workbench's `payload` parameter.

/**
 * Builds the URL.
 *
 * @param {string} serverUrl - `http://127.0.0.1:<port>`.
 * @param {object} target
 * @param {string} target.workspace - Absolute path of the folder to open.
 * @param {string} target.extensionPath - Absolute path of the extension's folder.
 * @param {string} target.testsPath - Absolute path of the tests file (exports `run()`).
 * @returns {string}
 */
export function payloadUrl(serverUrl, target) {
  const authority = new URL(serverUrl).host;
  const remote = (file) => `vscode-remote://${authority}${file}`;
  const payload = [
    ["extensionDevelopmentPath", remote(target.extensionPath)],
    ["extensionTestsPath", remote(target.testsPath)],
  ];
  const query = new URLSearchParams({ folder: target.workspace, payload: JSON.stringify(payload) });
  return `${serverUrl}/?${query.toString()}`;
}
