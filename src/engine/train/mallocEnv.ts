// glibc serves big temporaries (a training step's activations and gradients) with fresh mmaps and
// faults them in again every step; with mmap off and trimming off it keeps them on the heap, which
// made PyTorch 3-5x faster here and is what the ORT step is measured with. glibc reads these at
// process start, so they go into the environment of a process that trains: the host's training
// engine (which exits after its run, so the memory it keeps is given back then) and the CLI's
// train / bench --train, which re-run themselves with it (src/cli/mallocReexec.ts).
// glibc.malloc.hugetlb=1 (glibc 2.35+; ignored by older ones and by other C libraries) has the heap
// madvise'd for transparent huge pages where the kernel offers them ('madvise' or 'always'): the
// step's ~2 GB then sit in 2 MB pages (AnonHugePages), fewer page-table walks. torchvision b16,
// processes alternated, 5 rounds: median step 599 vs 628 ms, fastest 566 vs 583 (better in 5 of 5);
// b128 within the noise; peak memory the same.
export const TRAINING_MALLOC_ENV: Readonly<Record<string, string>> = Object.freeze({
  MALLOC_MMAP_MAX_: '0',
  MALLOC_TRIM_THRESHOLD_: '-1',
  GLIBC_TUNABLES: 'glibc.malloc.hugetlb=1',
});
