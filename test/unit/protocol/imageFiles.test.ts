// One list of image extensions (src/protocol/imageFiles.ts): package.json's menus, which VS Code
// evaluates without running our code, must offer the commands on exactly those files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { IMAGE_EXTENSIONS, isImagePath } from '../../../src/protocol/imageFiles';
import { REPO_ROOT } from '../../helpers/paths';

interface MenuItem { command: string; when?: string }
const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { contributes: { menus: Record<string, MenuItem[]> } };

/** The commands that take an image file (other menus test for weights files: .pth, .npy...). */
const IMAGE_COMMANDS = new Set(['alexnet.classifyImage', 'alexnet.exploreActivations']);

/** Every `resourceExtname =~ /.../flags` in the image commands' when clauses, as a RegExp, with where it is. */
function extnameRegexes(): { where: string; re: RegExp }[] {
  const found: { where: string; re: RegExp }[] = [];
  for (const [menu, items] of Object.entries(manifest.contributes.menus)) {
    for (const item of items.filter((i) => IMAGE_COMMANDS.has(i.command))) {
      for (const m of (item.when ?? '').matchAll(/resourceExtname\s*=~\s*\/((?:\\.|[^/])+)\/([a-z]*)/g)) {
        found.push({ where: `${menu} ${item.command}`, re: new RegExp(m[1], m[2]) });
      }
    }
  }
  return found;
}

// Names VS Code could give resourceExtname: ours in any case, and near misses.
const NOT_IMAGES = ['.txt', '.svg', '.heic', '.jpgx', '.xjpg', '.tiff2', '.pn', '.jp', '.ico', '.avif', '.json', ''];

test('package.json offers the image commands on exactly IMAGE_EXTENSIONS', () => {
  const regexes = extnameRegexes();
  assert.ok(regexes.length >= 3, `expected the explorer and editor-tab image menus, found ${regexes.length}`);
  for (const { where, re } of regexes) {
    for (const ext of IMAGE_EXTENSIONS) {
      for (const name of [`.${ext}`, `.${ext.toUpperCase()}`]) assert.ok(re.test(name), `${where}: ${re} does not match ${name}`);
    }
    for (const name of NOT_IMAGES) assert.ok(!re.test(name), `${where}: ${re} matches ${name}, which is no image we decode`);
  }
});

test('isImagePath follows IMAGE_EXTENSIONS in any case, on both separators', () => {
  for (const ext of IMAGE_EXTENSIONS) {
    assert.ok(isImagePath(`photo.${ext}`) && isImagePath(`/a/b.${ext.toUpperCase()}`) && isImagePath(`C:\\pics\\x.${ext}`), ext);
  }
  for (const p of ['a.txt', 'jpg', '.jpg', 'x.jpg.txt', 'x.heic', 'dir.png/readme', 'x.']) assert.ok(!isImagePath(p), p);
});
