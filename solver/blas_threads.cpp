#include "solver/blas_threads.h"

#include <dlfcn.h>

#include <cstdlib>

namespace ohlin {

int StopBlasWorkerThreads() {
  if (std::getenv("OPENBLAS_NUM_THREADS") != nullptr) return 0;
  using GetThreads = int (*)();
  using SetThreads = void (*)(int);
  using Shutdown = int (*)();
  // Only OpenBLAS's own threads (1: pthreads; 0 is the serial build, and the OpenMP build's
  // openblas_set_num_threads would set ohlin's OpenMP threads too).
  const auto get_parallel =
      reinterpret_cast<GetThreads>(dlsym(RTLD_DEFAULT, "openblas_get_parallel"));
  if (get_parallel == nullptr || get_parallel() != 1) return 0;
  const auto get_threads =
      reinterpret_cast<GetThreads>(dlsym(RTLD_DEFAULT, "openblas_get_num_threads"));
  const auto set_threads =
      reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"));
  const auto shutdown = reinterpret_cast<Shutdown>(dlsym(RTLD_DEFAULT, "blas_thread_shutdown_"));
  if (get_threads == nullptr || set_threads == nullptr || shutdown == nullptr) return 0;
  const int workers = get_threads() - 1;  // the calling thread is one of its threads
  set_threads(1);  // first: setting a number restarts the workers if they were stopped
  shutdown();      // the workers leave their loop and are joined
  return workers > 0 ? workers : 0;
}

}  // namespace ohlin
