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

// Where each rank's part starts in the gathered string, and the whole length (below 2 GiB).
long long Offsets(const std::vector<int>& lengths, std::vector<int>* offsets) {
  offsets->assign(lengths.size(), 0);
  long long total = 0;
  for (std::size_t r = 0; r < lengths.size(); ++r) {
    (*offsets)[r] = static_cast<int>(total);
    total += lengths[r];
  }
  if (total > 2147483647LL) throw std::runtime_error("MPI: a wave's results exceed 2 GiB");
  return total;
}

// Every rank's `mine` (lines of encoded outcomes) to every rank, in rank order.
std::string AllGather(const std::string& mine) {
  int size = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  const int length = static_cast<int>(mine.size());
  std::vector<int> lengths(static_cast<std::size_t>(size));
  MPI_Allgather(&length, 1, MPI_INT, lengths.data(), 1, MPI_INT, MPI_COMM_WORLD);
  std::vector<int> offsets;
  const long long total = Offsets(lengths, &offsets);
  std::string all(static_cast<std::size_t>(total), '\0');
  MPI_Allgatherv(mine.data(), length, MPI_CHAR, all.data(), lengths.data(), offsets.data(),
                 MPI_CHAR, MPI_COMM_WORLD);
  return all;
}

// Every rank's `mine` to rank 0, in rank order (empty elsewhere).
std::string GatherToRoot(const std::string& mine) {
  int size = 1, rank = 0;
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  const int length = static_cast<int>(mine.size());
  std::vector<int> lengths(static_cast<std::size_t>(size));
  MPI_Gather(&length, 1, MPI_INT, lengths.data(), 1, MPI_INT, 0, MPI_COMM_WORLD);
  std::vector<int> offsets;
  const long long total = Offsets(lengths, &offsets);
  std::string all(rank == 0 ? static_cast<std::size_t>(total) : 0, '\0');
  MPI_Gatherv(mine.data(), length, MPI_CHAR, all.data(), lengths.data(), offsets.data(), MPI_CHAR,
              0, MPI_COMM_WORLD);
  return all;
}

// Decodes records into `outcomes`, except those of points `keep` marks (this rank's own, whole).
void Decode(const std::string& lines, std::vector<PointOutcome>* outcomes,
            std::vector<bool>* done, const std::vector<bool>* keep = nullptr) {
  std::istringstream in(lines);
  std::string line;
  while (std::getline(in, line)) {
    PointOutcome outcome;
    if (!DecodeOutcome(line, &outcome)) throw std::runtime_error("MPI: a garbled point record");
    const auto p = static_cast<std::size_t>(outcome.point);
    if (keep != nullptr && (*keep)[p]) continue;
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
  // Every rank needs every point's solved unknowns (warm starts); only rank 0, which writes,
  // needs the result tables: those are gathered to it alone.
  const int rank = WorldRank(), size = WorldSize();
  std::string full, light;
  std::vector<bool> own(outcomes->size(), false);
  for (std::size_t k = 0; k < wave.size(); ++k) {
    if (static_cast<int>(k % static_cast<std::size_t>(size)) != rank) continue;
    const auto p = static_cast<std::size_t>(wave[k]);
    own[p] = true;
    PointOutcome outcome = (*outcomes)[p];
    full += EncodeOutcome(outcome) + "\n";
    outcome.tables.clear();
    light += EncodeOutcome(outcome) + "\n";
  }
  Decode(AllGather(light), outcomes, nullptr, &own);
  const std::string gathered = GatherToRoot(full);
  if (rank == 0) Decode(gathered, outcomes, nullptr, &own);
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
