import { test } from 'node:test';
import assert from 'node:assert/strict';
import { folderMatchesLabel, knownFolderClasses } from '../../../../src/extension/classify/folderAccuracy';
import { commonFolder } from '../../../../src/extension/classify/resultsExport';

test('folder names match labels: case, separators, plural, whole words, synonyms', () => {
  assert.ok(folderMatchesLabel('ants', 'ant'));
  assert.ok(folderMatchesLabel('Bees', 'bee'));
  assert.ok(folderMatchesLabel('golden_retriever', 'golden retriever'));
  assert.ok(folderMatchesLabel('cat', 'Egyptian cat'));
  assert.ok(folderMatchesLabel('tabby', 'tabby, tabby cat'));
  assert.ok(folderMatchesLabel('circle', 'circle'));
  assert.ok(!folderMatchesLabel('cat', 'catamaran'));
  assert.ok(!folderMatchesLabel('square', 'circle'));
  assert.deepEqual([...knownFolderClasses(['ants', 'bees', 'misc'], ['ant', 'bee', 'fly'])], ['ants', 'bees']);
});

test('commonFolder: the deepest folder holding every path', () => {
  assert.equal(commonFolder(['/a/b/c/1.jpg', '/a/b/d/2.jpg']), '/a/b');
  assert.equal(commonFolder(['/a/b/1.jpg']), '/a/b');
  assert.equal(commonFolder(['/x/1.jpg', '/y/2.jpg']), '/');
});
