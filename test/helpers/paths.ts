// Where the tests find the repository, its fixtures and the optional shared data, wherever the
// test file sits under test/unit/.
import { join } from 'node:path';

export const REPO_ROOT = join(__dirname, '..', '..');
export const FIXTURES = join(REPO_ROOT, 'test', 'fixtures');
export const SHARED_DATA = join(REPO_ROOT, '..', 'shared', 'data');
