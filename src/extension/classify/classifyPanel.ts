// The panel that shows classification results (webview: src/webview/classify/). One panel per
// window, reused by each classification; it survives hide/show through the webview's state and
// a window reload through the serializer.
import { randomUUID } from 'node:crypto';
import { basename, relative, sep } from 'node:path';
import * as vscode from 'vscode';
import type { ClassifyItem, ModelStatus } from '../../protocol/engine';
import type { ClassifyProtocol, ClassifyWebviewState, ResultRow, ResultsView, WebviewToHost } from '../../protocol/webview/classify';
import { commonFolder, imageRoots, resultsToCsv, resultsToJson } from './resultsExport';
import { folderClasses } from '../project/folderClasses';
import { folderMatchesLabel, knownFolderClasses } from './folderAccuracy';
import { extensionResourceRoots } from '../webviews/webviewHtml';
import { OpenPanels, SingletonPanel } from '../webviews/singletonPanel';

export const CLASSIFY_VIEW_TYPE = 'alexnet.classifyResults';
export const EXPLORE_COMMAND = 'alexnet.exploreActivations';

export interface ClassifyOutcome {
  title: string;
  layout: 'image' | 'table';
  items: ClassifyItem[];
  model: ModelStatus;
  backend: string;
  totalMs: number;
  topK: number;
  /** the classified folder; the rows' paths are shown relative to it (default: their common folder) */
  root?: string;
}

function rowToItem(row: ResultRow): ClassifyItem {
  return row.ok
    ? { path: row.path, ok: true, predictions: row.predictions, width: row.width, height: row.height, ms: row.ms, ...(row.exif ? { exif: row.exif } : {}) }
    : { path: row.path, ok: false, error: row.error, code: row.code };
}

export class ClassifyPanel extends SingletonPanel<ClassifyProtocol> {
  private static readonly open = new OpenPanels<ClassifyPanel>();
  private view?: ResultsView;

  private constructor(panel: vscode.WebviewPanel, extensionUri: vscode.Uri) {
    super(panel, extensionUri, ClassifyPanel.open);
  }

  /** Shows `outcome` in the panel (created, or reused and revealed). */
  static async show(extensionUri: vscode.Uri, outcome: ClassifyOutcome): Promise<ClassifyPanel> {
    let me = ClassifyPanel.open.get();
    if (!me) {
      const panel = vscode.window.createWebviewPanel(
        CLASSIFY_VIEW_TYPE,
        outcome.title,
        { viewColumn: vscode.window.activeTextEditor || vscode.window.tabGroups.activeTabGroup.activeTab ? vscode.ViewColumn.Beside : vscode.ViewColumn.Active },
        { enableScripts: true, localResourceRoots: extensionResourceRoots(extensionUri) },
      );
      me = new ClassifyPanel(panel, extensionUri);
    } else {
      me.reveal();
    }
    me.setView(await me.buildView(outcome));
    return me;
  }

  /** Restores the panel after a window reload from the state its webview saved. */
  static registerSerializer(extensionUri: vscode.Uri): vscode.Disposable {
    return vscode.window.registerWebviewPanelSerializer(CLASSIFY_VIEW_TYPE, {
      async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: ClassifyWebviewState | undefined) {
        const me = new ClassifyPanel(panel, extensionUri);
        const saved = state?.view;
        if (saved && Array.isArray(saved.rows)) me.setView({ ...saved, id: randomUUID(), canExplore: await commandExists(EXPLORE_COMMAND) });
        else panel.dispose();
      },
    });
  }

  private async buildView(o: ClassifyOutcome): Promise<ResultsView> {
    const root = o.root ?? commonFolder(o.items.map((i) => i.path));
    const classes = folderClasses(root, o.items.map((i) => i.path));
    const classPerFolder = o.layout === 'table' && classes.classes.length >= 2 && classes.index.every((c) => c >= 0);
    const known = classPerFolder ? knownFolderClasses(classes.classes, o.model.classNames) : new Set<string>();
    const rows: ResultRow[] = o.items.map((item, i) => {
      const folderClass = classPerFolder ? classes.classes[classes.index[i]] : undefined;
      const common = { name: basename(item.path), rel: classes.rel[i], folderClass, imageSrc: '' };
      if (!item.ok) return { ...item, ...common };
      const top = item.predictions[0];
      const match = folderClass && known.has(folderClass) && top ? folderMatchesLabel(folderClass, top.label) : undefined;
      return { ...item, ...common, ...(match !== undefined ? { match } : {}) };
    });
    return {
      id: randomUUID(),
      layout: o.layout,
      title: o.title,
      rows,
      variant: o.model.variant,
      backend: o.backend,
      weightsLabel: o.model.untrained ? 'untrained (random weights)' : o.model.weightsLabel,
      untrained: o.model.untrained,
      topK: o.topK,
      totalMs: o.totalMs,
      root,
      classPerFolder,
      folderAccuracy: known.size > 0,
      canExplore: await commandExists(EXPLORE_COMMAND),
    };
  }

  /** Loads a fresh page allowed to read the images' folders; it asks for the view when ready. */
  private setView(view: ResultsView): void {
    const webview = this.panel.webview;
    const roots = imageRoots(view.rows.map((r) => r.path)).map((d) => vscode.Uri.file(d));
    this.view = {
      ...view,
      rows: view.rows.map((r) => ({ ...r, imageSrc: webview.asWebviewUri(vscode.Uri.file(r.path)).toString() })),
    };
    this.panel.title = `AlexNet: ${view.title}`;
    this.setPage(
      {
        script: 'classify',
        title: view.title,
        styles: ['classify.css'],
        body: `<div id="app" data-view-id="${this.view.id}"></div>`,
      },
      roots,
    );
  }

  protected async onMessage(m: WebviewToHost): Promise<void> {
    const view = this.view;
    switch (m.type) {
      case 'ready':
        if (view) this.post({ type: 'results', view });
        return;
      case 'copyJson': {
        if (!view) return;
        const json = resultsToJson(view.rows.map(rowToItem), { variant: view.variant, weightsLabel: view.weightsLabel, untrained: view.untrained, backend: view.backend });
        await vscode.env.clipboard.writeText(json);
        void vscode.window.setStatusBarMessage('AlexNet: results copied as JSON', 3000);
        return;
      }
      case 'exportCsv':
        if (view) await exportCsv(view);
        return;
      case 'explore':
        if (await commandExists(EXPLORE_COMMAND)) await vscode.commands.executeCommand(EXPLORE_COMMAND, vscode.Uri.file(m.path));
        return;
      case 'open':
        await vscode.commands.executeCommand('vscode.open', vscode.Uri.file(m.path), { viewColumn: vscode.ViewColumn.One, preview: true });
        return;
    }
  }
}

async function commandExists(id: string): Promise<boolean> {
  return (await vscode.commands.getCommands(true)).includes(id);
}

async function exportCsv(view: ResultsView): Promise<void> {
  const folder = imageRoots(view.rows.map((r) => r.path))[0];
  const target = await vscode.window.showSaveDialog({
    ...(folder && { defaultUri: vscode.Uri.file(`${folder}${sep}alexnet-${view.variant}-results.csv`) }),
    filters: { CSV: ['csv'] },
    title: 'Export classification results',
  });
  if (!target) return;
  await vscode.workspace.fs.writeFile(target, Buffer.from(resultsToCsv(view.rows.map(rowToItem), view.topK), 'utf8'));
  const shown = folder ? relative(folder, target.fsPath) || target.fsPath : target.fsPath;
  const open = await vscode.window.showInformationMessage(`Exported ${view.rows.length} results to ${shown}.`, 'Open');
  if (open) await vscode.commands.executeCommand('vscode.open', target);
}
