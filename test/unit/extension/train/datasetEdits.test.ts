// Move to Class, Exclude and Undo on real temp folders: files land where they should, nothing is
// overwritten, Undo puts them back, and every failure says what happened.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatasetEditError, DatasetEditLog, describeFsError, EDIT_LOG_FILE, EXCLUDED_DIR, excludeImage, moveToClass, placeOf, undoEdit } from '../../../../src/extension/train/datasetEdits';
import { scanDataset } from '../../../../src/engine/train/dataset';
import { makeClassFolders } from '../../../fixtures/train/makeDataset';

function tempFolder(): string {
  return mkdtempSync(join(tmpdir(), 'alexnet-edits-'));
}

/** <root>/<class>/<name> files with distinct contents. */
function files(root: string, layout: Record<string, string[]>): void {
  for (const [dir, names] of Object.entries(layout)) {
    mkdirSync(join(root, dir), { recursive: true });
    for (const n of names) writeFileSync(join(root, dir, n), `${dir}/${n}`);
  }
}

async function rejectsWith(p: Promise<unknown>, code: DatasetEditError['code'], text: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof DatasetEditError, `a DatasetEditError, got ${String(e)}`);
    assert.equal(e.code, code);
    assert.match(e.message, text);
    return true;
  });
}

test('placeOf finds the class folder in both layouts and refuses paths outside them', () => {
  assert.deepEqual(placeOf('/d', 'class-folders', '/d/cat/sub/a.png'), { root: '/d', className: 'cat', rest: join('sub', 'a.png') });
  assert.deepEqual(placeOf('/d', 'split-folders', '/d/val/dog/b.jpg'), { root: join('/d', 'val'), className: 'dog', rest: 'b.jpg' });
  assert.throws(() => placeOf('/d', 'class-folders', '/elsewhere/cat/a.png'), /not inside the dataset folder/);
  assert.throws(() => placeOf('/d', 'class-folders', '/d/a.png'), /not in a class folder/);
  assert.throws(() => placeOf('/d', 'class-folders', '/d/.alexnet/excluded/cat/a.png'), /not in a class folder/);
  assert.throws(() => placeOf('/d', 'split-folders', '/d/cat/a.png'), /not under train\/ or val\//);
});

test('Move to Class moves the file into the other class folder, picks a free name, and Undo puts it back', async () => {
  const root = tempFolder();
  try {
    files(root, { cat: ['a.png', 'b.png'], dog: ['a.png', 'a-2.png'] });
    const config = { folder: root, layout: 'class-folders' as const };
    const edit = await moveToClass(config, join(root, 'cat', 'a.png'), 'dog');
    // dog/a.png and dog/a-2.png are taken: never overwritten
    assert.equal(edit.to, join(root, 'dog', 'a-3.png'));
    assert.equal(readFileSync(edit.to, 'utf8'), 'cat/a.png');
    assert.equal(readFileSync(join(root, 'dog', 'a.png'), 'utf8'), 'dog/a.png');
    assert.equal(readFileSync(join(root, 'dog', 'a-2.png'), 'utf8'), 'dog/a-2.png');
    assert.equal(existsSync(join(root, 'cat', 'a.png')), false);
    assert.deepEqual(readdirSync(join(root, 'cat')), ['b.png']);
    await undoEdit(edit);
    assert.equal(readFileSync(join(root, 'cat', 'a.png'), 'utf8'), 'cat/a.png');
    assert.equal(existsSync(edit.to), false);
    assert.deepEqual(readdirSync(join(root, 'dog')).sort(), ['a-2.png', 'a.png']);
    // a class folder that does not exist yet is made
    const fresh = await moveToClass(config, join(root, 'cat', 'b.png'), 'bird');
    assert.equal(fresh.to, join(root, 'bird', 'b.png'));
    await rejectsWith(moveToClass(config, join(root, 'cat', 'a.png'), 'cat'), 'bad-input', /already in cat/);
    await rejectsWith(moveToClass(config, join(root, 'cat', 'a.png'), '../x'), 'bad-input', /not a class folder name/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('Move keeps the split: a val/ image goes to val/<class>/', async () => {
  const root = tempFolder();
  try {
    files(root, { 'train/cat': ['t.png'], 'train/dog': ['u.png'], 'val/cat': ['v.png'], 'val/dog': [] });
    const edit = await moveToClass({ folder: root, layout: 'split-folders' }, join(root, 'val', 'cat', 'v.png'), 'dog');
    assert.equal(edit.to, join(root, 'val', 'dog', 'v.png'));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('Exclude moves the image under .alexnet/excluded/, the scan no longer sees it, Undo brings it back', async () => {
  const root = tempFolder();
  try {
    await makeClassFolders(3, { root, classes: ['red', 'green'] });
    const config = { folder: root, layout: 'class-folders' as const };
    const before = await scanDataset(root, { valFraction: 0 });
    const victim = before.train.find((t) => t.path.includes(`${join('red', '')}`))!.path;
    const edit = await excludeImage(config, victim);
    assert.equal(edit.to, join(root, '.alexnet', 'excluded', 'red', victim.split(/[\\/]/).pop()!));
    assert.ok(existsSync(edit.to));
    const after = await scanDataset(root, { valFraction: 0 });
    assert.deepEqual(after.classNames, ['green', 'red'], '.alexnet is not a class');
    assert.equal(after.train.length, before.train.length - 1);
    assert.equal(after.train.some((t) => t.path === victim), false);
    assert.equal(after.summary.skipped.length, 0, 'nothing about the excluded folder is reported');
    // a second image of the same name excluded later gets a free name
    writeFileSync(victim, 'another');
    const second = await excludeImage(config, victim);
    assert.notEqual(second.to, edit.to);
    assert.match(second.to, /-2\.jpg$/);
    await undoEdit(second);
    // the first one cannot go back now: its place is taken, and nothing is overwritten
    await rejectsWith(undoEdit(edit), 'taken', /exists now \(not overwritten\)/);
    assert.equal(readFileSync(victim, 'utf8'), 'another');
    rmSync(victim);
    await undoEdit(edit);
    assert.ok(existsSync(victim));
    assert.equal((await scanDataset(root, { valFraction: 0 })).train.length, before.train.length);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('failures say what happened: a file gone, no permission, an undo of a file moved away', async () => {
  const root = tempFolder();
  try {
    files(root, { cat: ['a.png', 'b.png'], dog: ['c.png'] });
    const config = { folder: root, layout: 'class-folders' as const };
    await rejectsWith(moveToClass(config, join(root, 'cat', 'gone.png'), 'dog'), 'gone', /is gone/);
    await rejectsWith(excludeImage(config, join(root, 'cat', 'gone.png')), 'gone', /is gone/);
    const edit = await moveToClass(config, join(root, 'cat', 'a.png'), 'dog');
    rmSync(edit.to);
    await rejectsWith(undoEdit(edit), 'gone', /is gone/);
    const denied = describeFsError(Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' }), 'move', '/d/cat/a.png');
    assert.equal(denied.code, 'permission');
    assert.equal(denied.message, 'no permission to move /d/cat/a.png (EACCES)');
    assert.equal(describeFsError(Object.assign(new Error('x'), { code: 'EROFS' }), 'exclude', '/d/a.png').code, 'permission');
    if (process.getuid?.() !== 0) {
      // root ignores permission bits: only checkable as another user
      chmodSync(join(root, 'dog'), 0o555);
      try {
        await rejectsWith(moveToClass(config, join(root, 'cat', 'b.png'), 'dog'), 'permission', /no permission to move/);
        assert.ok(existsSync(join(root, 'cat', 'b.png')), 'the file stays where it was');
      } finally {
        chmodSync(join(root, 'dog'), 0o755);
      }
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('the edit log: one edit per image until it is undone', async () => {
  const root = tempFolder();
  try {
    files(root, { cat: ['a.png'], dog: [] });
    const config = { folder: root, layout: 'class-folders' as const };
    const log = new DatasetEditLog();
    const path = join(root, 'cat', 'a.png');
    const edit = await log.move(config, path, 'dog');
    assert.deepEqual(log.get(path), edit);
    await rejectsWith(log.exclude(config, path), 'bad-input', /already moved to dog: undo that first/);
    await log.undo(path);
    assert.equal(log.get(path), undefined);
    await rejectsWith(log.undo(path), 'bad-input', /nothing to undo/);
    const ex = await log.exclude(config, path);
    assert.equal(ex.kind, 'exclude');
    await log.undo(path);
    assert.ok(existsSync(path));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('the edit log of a run folder survives a reload: the same Undo, and nothing it should not trust', async () => {
  const root = tempFolder();
  try {
    const folder = join(root, 'data');
    const runDir = join(root, 'run');
    mkdirSync(runDir);
    files(folder, { cat: ['a.png', 'b.png', 'c.png'], dog: [] });
    const config = { folder, layout: 'class-folders' as const };
    const kept = { runDir, folder };
    const [a, b, c] = ['a.png', 'b.png', 'c.png'].map((n) => join(folder, 'cat', n));
    const first = new DatasetEditLog(kept);
    const moved = await first.move(config, a, 'dog');
    await first.exclude(config, b);
    await first.exclude(config, c);
    assert.ok(existsSync(join(runDir, EDIT_LOG_FILE)));

    // c is put back by hand: its edit can no longer be undone and is not offered
    writeFileSync(c, readFileSync(join(folder, EXCLUDED_DIR, 'cat', 'c.png')));
    rmSync(join(folder, EXCLUDED_DIR, 'cat', 'c.png'));
    const reloaded = new DatasetEditLog(kept);
    assert.deepEqual(reloaded.get(a), moved);
    assert.equal(reloaded.get(b)?.kind, 'exclude');
    assert.equal(reloaded.get(c), undefined);
    await reloaded.undo(a);
    assert.ok(existsSync(a) && !existsSync(moved.to));
    assert.equal(new DatasetEditLog(kept).get(a), undefined, 'the undo is kept too');
    assert.equal(new DatasetEditLog(kept).get(b)?.kind, 'exclude');

    // the file is data: an edit that would move files from or to outside the dataset is dropped
    const outside = join(root, 'secret.txt');
    writeFileSync(outside, 'not an image');
    const path = join(runDir, EDIT_LOG_FILE);
    writeFileSync(path, JSON.stringify({ version: 1, edits: [{ kind: 'exclude', from: join(folder, 'cat', 'x.png'), to: outside }, { kind: 'move', from: b, to: outside, className: 'dog' }] }));
    const hostile = new DatasetEditLog(kept);
    assert.equal(hostile.get(join(folder, 'cat', 'x.png')), undefined);
    assert.equal(hostile.get(b), undefined);
    // an unreadable file means no edits (not a crash), and the next edit replaces it
    writeFileSync(path, '{ not json');
    const fresh = new DatasetEditLog(kept);
    assert.equal(fresh.get(b), undefined);
    await fresh.move(config, c, 'dog');
    assert.equal(new DatasetEditLog(kept).get(c)?.className, 'dog');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
