import * as vscode from "vscode";
import { type BackendChoice, llamaServerCommand } from "./backend-choice.js";
import { detectWith } from "./backend-opener.js";
import type { ExtensionSettings } from "./settings.js";

type ChoiceItem = vscode.QuickPickItem & { choice: BackendChoice };

/**
 * "Pick provider and model": lists what detection finds (each pulled Ollama model, a
 * llama.cpp server, OpenRouter when a key is stored, downloaded GGUF files) and writes
 * the pick to the `provider`, `model` and `baseUrl` settings (of the workspace when one is
 * open). A GGUF file is not run in process: picking one shows how to serve it.
 *
 * @param settings - The current settings.
 * @param secrets - The secret storage (for the OpenRouter key).
 */
export async function pickModel(
  settings: ExtensionSettings,
  secrets: vscode.SecretStorage,
): Promise<void> {
  const detection = await vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: "gemma-coder: looking for model backends…",
    },
    () => detectWith(settings, secrets),
  );
  if (detection.choices.length === 0) {
    void vscode.window.showWarningMessage(
      "gemma-coder found no model backend: start Ollama (`ollama serve`) or llama-server, or set gemmaCoder.baseUrl, or store an OpenRouter key.",
    );
    return;
  }
  const items: ChoiceItem[] = detection.choices.map((choice) => ({
    label: choice.label,
    description: choice.baseUrl ?? "",
    picked: choice === detection.picked,
    choice,
  }));
  const picked = await vscode.window.showQuickPick(items, {
    title: "gemma-coder: pick provider and model",
  });
  if (!picked) return;
  const { choice } = picked;
  if (choice.provider === "embedded") {
    const command = llamaServerCommand(choice.model ?? "model.gguf");
    const copy = await vscode.window.showInformationMessage(
      `The extension does not run GGUF files in the editor. Serve this one with: ${command} and then pick the llama.cpp server.`,
      "Copy command",
    );
    if (copy) await vscode.env.clipboard.writeText(command);
    return;
  }
  const config = vscode.workspace.getConfiguration("gemmaCoder");
  const target = vscode.workspace.workspaceFolders
    ? vscode.ConfigurationTarget.Workspace
    : vscode.ConfigurationTarget.Global;
  await config.update("provider", choice.provider, target);
  await config.update("model", choice.model ?? "", target);
  await config.update("baseUrl", choice.baseUrl ?? "", target);
}
