#include "sweeps/parallel.h"

#include <cstdlib>
#include <sstream>
#include <stdexcept>
#include <string>

#ifdef OHLIN_WITH_MPI
#include <mpi.h>
#endif

namespace ohlin::sweeps {
namespace {

#ifdef OHLIN_WITH_MPI
bool UnderLauncher() {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK"}) {
    if (std::getenv(name) != nullptr) return true;
  }
  return false;
}

bool Running() {
  int initialized = 0, finalized = 0;
  MPI_Initialized(&initialized);
  MPI_Finalized(&finalized);
  return initialized != 0 && finalized == 0;
}

// Every rank's `mine` (lines of encoded outcomes) to every rank, in rank order.
std::string AllGather(const std::string& mine) {
  int size = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  const int length = static_cast<int>(mine.size());
  std::vector<int> lengths(static_cast<std::size_t>(size));
  MPI_Allgather(&length, 1, MPI_INT, lengths.data(), 1, MPI_INT, MPI_COMM_WORLD);
  std::vector<int> offsets(static_cast<std::size_t>(size), 0);
  long long total = 0;
  for (int r = 0; r < size; ++r) {
    offsets[static_cast<std::size_t>(r)] = static_cast<int>(total);
    total += lengths[static_cast<std::size_t>(r)];
  }
  if (total > 2147483647LL) throw std::runtime_error("MPI: a wave's results exceed 2 GiB");
  std::string all(static_cast<std::size_t>(total), '\0');
  MPI_Allgatherv(mine.data(), length, MPI_CHAR, all.data(), lengths.data(), offsets.data(),
                 MPI_CHAR, MPI_COMM_WORLD);
  return all;
}

void Decode(const std::string& lines, std::vector<PointOutcome>* outcomes,
            std::vector<bool>* done) {
  std::istringstream in(lines);
  std::string line;
  while (std::getline(in, line)) {
    PointOutcome outcome;
    if (!DecodeOutcome(line, &outcome)) throw std::runtime_error("MPI: a garbled point record");
    const auto p = static_cast<std::size_t>(outcome.point);
    if (done != nullptr) (*done)[p] = true;
    (*outcomes)[p] = std::move(outcome);
  }
}
#endif

}  // namespace

bool HaveMpi() {
#ifdef OHLIN_WITH_MPI
  return true;
#else
  return false;
#endif
}

MpiSession::MpiSession() {
#ifdef OHLIN_WITH_MPI
  if (!UnderLauncher() || Running()) return;
  int provided = 0;
  MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided);
  started_ = true;
#endif
}

MpiSession::~MpiSession() {
#ifdef OHLIN_WITH_MPI
  if (started_ && Running()) MPI_Finalize();
#endif
}

int WorldRank() {
#ifdef OHLIN_WITH_MPI
  if (Running()) {
    int rank = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    return rank;
  }
#endif
  return 0;
}

int WorldSize() {
#ifdef OHLIN_WITH_MPI
  if (Running()) {
    int size = 1;
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    return size;
  }
#endif
  return 1;
}

void Barrier() {
#ifdef OHLIN_WITH_MPI
  if (WorldSize() > 1) MPI_Barrier(MPI_COMM_WORLD);
#endif
}

void ShareWave(const std::vector<int>& wave, std::vector<PointOutcome>* outcomes) {
#ifdef OHLIN_WITH_MPI
  if (WorldSize() == 1) return;
  const int rank = WorldRank(), size = WorldSize();
  std::string mine;
  for (std::size_t k = 0; k < wave.size(); ++k) {
    if (static_cast<int>(k % static_cast<std::size_t>(size)) != rank) continue;
    mine += EncodeOutcome((*outcomes)[static_cast<std::size_t>(wave[k])]) + "\n";
  }
  Decode(AllGather(mine), outcomes, nullptr);
#else
  (void)wave;
  (void)outcomes;
#endif
}

void ShareResumed(std::vector<PointOutcome>* outcomes, std::vector<bool>* done) {
#ifdef OHLIN_WITH_MPI
  if (WorldSize() == 1) return;
  std::string mine;
  if (WorldRank() == 0) {
    for (std::size_t p = 0; p < done->size(); ++p) {
      if ((*done)[p]) mine += EncodeOutcome((*outcomes)[p]) + "\n";
    }
  }
  Decode(AllGather(mine), outcomes, done);
#else
  (void)outcomes;
  (void)done;
#endif
}

}  // namespace ohlin::sweeps
