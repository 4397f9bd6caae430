// MPI for sweeps (sweeps/runner.h): a session started only under a launcher (mpirun, srun),
// and the exchange of finished points between ranks. Without MPI (a build without it, or a
// plain start), one rank and nothing to exchange.
#pragma once

#include <vector>

#include "sweeps/runner.h"

namespace ohlin::sweeps {

// Starts MPI when this build has it and the process was started by a launcher (mpirun's
// OMPI_COMM_WORLD_SIZE, PMI's PMI_SIZE or PMIx's PMIX_RANK in the environment); finalizes it
// when it ends. One per process, around everything a sweep does.
class MpiSession {
 public:
  MpiSession();
  ~MpiSession();
  MpiSession(const MpiSession&) = delete;
  MpiSession& operator=(const MpiSession&) = delete;

 private:
  bool started_ = false;
};

// Waits until every rank is here (nothing without MPI): e.g. every rank has checked the result
// folder before rank 0 writes the journal into it.
void Barrier();

// After a wave: every rank gets every outcome of `wave` (its points, dealt out in turn).
void ShareWave(const std::vector<int>& wave, std::vector<PointOutcome>* outcomes);
// After rank 0 read the journal: every rank gets the finished points.
void ShareResumed(std::vector<PointOutcome>* outcomes, std::vector<bool>* done);

}  // namespace ohlin::sweeps
