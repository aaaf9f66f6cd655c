import { test } from 'node:test';
import assert from 'node:assert/strict';
import { folderClasses } from '../../../../src/extension/project/folderClasses';

test('folderClasses: the parent folder names the class (train/ and val/ layouts too); top-level images have none', () => {
  const r = folderClasses('/data/set/', ['/data/set/cat/1.jpg', '/data/set/train/dog/2.jpg', '/data/set/val/cat/3.jpg', '/data/set/loose.png']);
  assert.deepEqual(r.classes, ['cat', 'dog']);
  assert.deepEqual(r.index, [0, 1, 0, -1]);
  assert.deepEqual(r.rel, ['cat/1.jpg', 'train/dog/2.jpg', 'val/cat/3.jpg', 'loose.png']);
});
