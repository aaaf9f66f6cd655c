// Whether a class-per-folder folder's names are classes of the model, and whether each image's
// top-1 answer matches its folder (no vscode: unit-tested). Names match when they are equal
// after case and separators are ignored, or when the folder's name, plural 's' dropped or not,
// is one of the label's comma-separated names or a whole word of one ("ants" and "ant",
// "cat" and "Egyptian cat", "golden_retriever" and "golden retriever").

function normalise(name: string): string {
  return name.toLowerCase().replace(/[_\-\s]+/g, ' ').trim();
}

function forms(folder: string): string[] {
  const f = normalise(folder);
  const out = [f];
  if (f.endsWith('es') && f.length > 3) out.push(f.slice(0, -2));
  if (f.endsWith('s') && f.length > 2) out.push(f.slice(0, -1));
  return out;
}

export function folderMatchesLabel(folder: string, label: string): boolean {
  const names = label.split(',').map(normalise).filter(Boolean);
  for (const f of forms(folder)) {
    for (const n of names) {
      if (n === f) return true;
      if (` ${n} `.includes(` ${f} `)) return true;
    }
  }
  return false;
}

/** The folder names that name some class of the model (so accuracy against them means something). */
export function knownFolderClasses(folders: readonly string[], classNames: readonly string[]): Set<string> {
  return new Set(folders.filter((f) => classNames.some((c) => folderMatchesLabel(f, c))));
}
