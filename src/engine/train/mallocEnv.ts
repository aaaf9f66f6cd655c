// glibc serves big temporaries (a training step's activations and gradients) with fresh mmaps and
// faults them in again every step; with mmap off and trimming off it keeps them on the heap, which
// made PyTorch 3-5x faster here and is what the ORT step is measured with. glibc reads these at
// process start, so they go into the environment of a process that trains: the host's training
// engine (which exits after its run, so the memory it keeps is given back then) and the CLI's
// train / bench --train, which re-run themselves with it (src/cli/mallocReexec.ts).
export const TRAINING_MALLOC_ENV: Readonly<Record<string, string>> = Object.freeze({
  MALLOC_MMAP_MAX_: '0',
  MALLOC_TRIM_THRESHOLD_: '-1',
});
