// OpenBLAS's worker threads (docs/MODEL.md 13.1).
#pragma once

namespace ohlin {

// OpenBLAS, loaded for SuiteSparse (the sparse LU and Ceres), starts a worker thread per
// further core when it is loaded, and each spins on sched_yield for about 0.1 s before it
// sleeps: a core's worth of CPU taken from ohlin's own OpenMP threads in every short run. Its
// BLAS calls are on small dense blocks inside the sparse factorisations, where one thread is
// as fast. Unless the user set OPENBLAS_NUM_THREADS, this sets OpenBLAS to one thread and
// stops its workers, and returns how many it stopped (0 also when the BLAS in use is not
// OpenBLAS with its own threads: its functions are looked up by name, so any other BLAS, and
// OpenBLAS built on OpenMP, whose threads are OpenMP's, are left alone).
// Setting the variable from the program instead would come too late: libc's initialiser,
// which runs after even the executable's .preinit_array, resets the environment before
// OpenBLAS's initialiser reads it. Call it first thing in main(), before any BLAS call.
int StopBlasWorkerThreads();

}  // namespace ohlin
