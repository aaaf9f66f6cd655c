// Runs only in an untrusted workspace (ALEXNET_SUITE=restricted; e2e scenario 03 opens
// test/suite/fixtures-untrusted with Workspace Trust on). package.json declares
// capabilities.untrustedWorkspaces "limited": the extension runs, but the workspace's values of the
// settings that name a file, a URL or a device are ignored, so a cloned repository's
// .vscode/settings.json cannot point us at its own server or files.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as vscode from 'vscode';
import type { AlexNetApi } from '../../../src/extension/extension';
import type { ClassifyItem } from '../../../src/protocol/engine';
import * as config from '../../../src/extension/settings/configuration';

const root = resolve(__dirname, '../../../..');
const packageJson = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const extensionId = `${packageJson.publisher}.${packageJson.name}`;
const settings = () => vscode.workspace.getConfiguration('alexnet');

describe('Restricted Mode (untrusted workspace)', () => {
  it('the workspace is untrusted and its settings file is in effect for unrestricted settings', () => {
    assert.equal(vscode.workspace.isTrusted, false, 'the scenario must open this workspace untrusted');
    // The control: alexnet.topK (not restricted) comes from the same file and applies.
    assert.equal(settings().get('topK'), 3);
    assert.equal(settings().inspect('topK')?.workspaceValue, 3);
    // Restricted ones are hidden from inspect() too in Restricted Mode.
    assert.equal(settings().inspect('weights.mirror')?.workspaceValue, undefined);
  });

  it('the extension activates, and the mirror, weights path and backend of the workspace are ignored', async () => {
    const ext = vscode.extensions.getExtension<AlexNetApi>(extensionId);
    assert.ok(ext, `${extensionId} is not installed`);
    const api = await ext.activate();
    assert.ok(ext.isActive, 'disabled in Restricted Mode (capabilities.untrustedWorkspaces missing?)');
    assert.equal(config.weightsMirror(), undefined);
    assert.equal(settings().get('weights.mirror'), '');
    assert.equal(settings().get('weights.path'), '');
    assert.equal(settings().get('backend'), 'auto');
    const choice = await api.weights.decide('torchvision').catch((e: Error) => ({ origin: `error: ${e.message}` }));
    assert.notEqual((choice as { origin: string }).origin, 'setting');
  });

  it('classifying still works in Restricted Mode', async () => {
    const api = await vscode.extensions.getExtension<AlexNetApi>(extensionId)!.activate();
    api.weights.setSessionChoice('torchvision', { kind: 'random' });
    const items = await vscode.commands.executeCommand<ClassifyItem[] | undefined>('alexnet.classifyImage', vscode.Uri.file(join(root, 'test/suite/fixtures/checker.jpg')));
    assert.ok(items?.length === 1 && items[0].ok, `classify failed: ${JSON.stringify(items)}`);
  });
});
