// The "see inside AlexNet" commands and views: architecture diagram, filters, feature maps and
// the activation explorer side panel. extension.ts calls registerInspectCommands once.
import * as vscode from 'vscode';
import type { EngineHost } from '../engine/engineHost';
import type { WeightsManager } from '../weights/weightsManager';
import { ArchitecturePanel } from './architecturePanel';
import { FiltersPanel } from './filtersPanel';
import { FeatureMapsPanel } from './featureMapsPanel';
import { ActivationExplorer, ACTIVATION_EXPLORER_VIEW } from './activationExplorer';
import { InspectEngine, activeImageUri, pickImage } from './inspectEngine';

export function registerInspectCommands(context: vscode.ExtensionContext, engine: EngineHost, weights: WeightsManager): vscode.Disposable {
  const inspect = new InspectEngine(engine, weights);
  const uri = context.extensionUri;
  const explorer = new ActivationExplorer(uri, inspect, context.workspaceState, pickImage);
  // A command gets whatever its caller passes (a Uri, a Uri[], a string, nothing); each handler declares what it takes.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const command = (id: string, fn: (...args: any[]) => unknown) => vscode.commands.registerCommand(id, fn);
  return vscode.Disposable.from(
    explorer,
    ArchitecturePanel.registerSerializer(uri, inspect),
    FiltersPanel.registerSerializer(uri, inspect),
    FeatureMapsPanel.registerSerializer(uri, inspect),
    vscode.window.registerWebviewViewProvider(ACTIVATION_EXPLORER_VIEW, explorer, { webviewOptions: { retainContextWhenHidden: false } }),
    command('alexnet.showArchitecture', () => ArchitecturePanel.show(uri, inspect)),
    command('alexnet.showFilters', (layer?: unknown) => FiltersPanel.show(uri, inspect, typeof layer === 'string' ? layer : undefined)),
    command('alexnet.showFeatureMaps', async (target?: unknown, layer?: unknown) => {
      const image = target instanceof vscode.Uri ? target : activeImageUri() ?? explorer.currentImage ?? (await pickImage('Show feature maps for an image'));
      if (!image) return undefined;
      return FeatureMapsPanel.show(uri, inspect, image.fsPath, typeof layer === 'string' ? layer : undefined);
    }),
    command('alexnet.exploreActivations', async (target?: unknown) => {
      const image = target instanceof vscode.Uri ? target : activeImageUri() ?? (await pickImage('Explore the activations of an image'));
      if (!image) return undefined;
      await explorer.reveal(image);
      return image.fsPath;
    }),
    // Not in the palette: lets the e2e tests read what the views show.
    command('alexnet.debug.inspectState', () => ({ explorer: explorer.debugState(), featureMaps: FeatureMapsPanel.debugState() })),
  );
}
