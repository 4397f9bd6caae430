// Solving the points of a sweep or sensitivity analysis: each point warm-started from the
// nearest point of an earlier wave (its parent; so every result is the same whatever the
// threads and ranks), spread over OpenMP threads (a point starts as soon as its parent is done)
// and, when built with MPI and started under mpirun or srun, over ranks (wave by wave); each finished point appended to a journal, and `--resume`
// reading it back.
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace ohlin::sweeps {

struct PointOutcome {
  int point = -1;
  bool converged = false;
  int iterations = 0;
  double seconds = 0.0;  // wall time of the solve (the only number that varies between runs)
  int start = -1;        // the point it was warm-started from; -1: the benchmark
  std::string reason;    // why it failed
  std::vector<double> state;  // the solved unknowns (a start for its neighbours)
  std::vector<std::pair<std::string, std::string>> tables;  // result tables, name and CSV
};

struct RunPlan {
  std::vector<std::vector<double>> coordinates;  // per point, for the nearest-point search
  std::vector<int> family;  // a point is warm-started only from a point of its family
};

// Solves one point from `start` (nullptr: the benchmark). Must not throw: failures are
// outcomes with converged = false and a reason.
using SolvePoint = std::function<PointOutcome(int point, const PointOutcome* start)>;

// The journal's file name in the result folder (results/files.cpp knows it by its header line,
// {"fingerprint":...,"ohlin_journal":1}: a folder a killed run left may be replaced).
inline constexpr const char* kJournalName = "journal.jsonl";

struct RunOptions {
  int threads = 1;
  std::string journal_path;  // empty: no journal
  bool resume = false;       // read the journal's finished points instead of solving them
  std::string fingerprint;   // the journal belongs to this input (a hash of the files)
  bool progress = false;     // a live line on stderr (rank 0)
};

// The wave of point p among n: 0 for point 0, then points at odd multiples of 2^(D-w)
// (2^D >= n), so each wave halves the distance to the nearest solved point.
int WaveOf(int point, int num_points);

// The wave of every point: WaveOf its position among the points of its family, so each
// family starts from its own first point.
std::vector<int> Waves(const std::vector<int>& family);

// The point of an earlier wave of the same family nearest to `point` (Euclidean on
// coordinates, ties to the lower index), or -1: its parent, known before anything is solved.
int NearestEarlier(const RunPlan& plan, int point, const std::vector<int>& waves);

// The parent of every point (NearestEarlier).
std::vector<int> Parents(const RunPlan& plan, const std::vector<int>& waves);

// The point of an earlier wave of the same family nearest to `point` on the other side of it
// from its parent (the two bracket it), or -1; for every point.
std::vector<int> Brackets(const RunPlan& plan, const std::vector<int>& waves,
                          const std::vector<int>& parents);

// The start predicted on the straight line between the unknowns of `from` and `other` (both
// converged) at the projection of `point` onto the segment between their coordinates; false
// when either did not converge (or -1).
bool Interpolate(const RunPlan& plan, int point, int from, int other,
                 const std::vector<PointOutcome>& outcomes, std::vector<double>* state);

// The start of `point`: its parent when that converged, else the parent's parent, and so on;
// -1 (the benchmark) when none did. Needs every ancestor finished, nothing else: a point can
// start as soon as its parent is done, whatever the other points of that wave, so threads never
// wait at the end of a wave, and the start is the same for any threads, ranks or resume.
int StartOf(int point, const std::vector<int>& parents, const std::vector<PointOutcome>& outcomes);

// Solves every point and returns the outcomes in point order, on every rank. Throws
// InputError for a journal that does not belong to this input.
std::vector<PointOutcome> RunPoints(const RunPlan& plan, const SolvePoint& solve,
                                    const RunOptions& options);

// MPI: this process's rank and the number of ranks (0 and 1 without MPI or outside mpirun).
int WorldRank();
int WorldSize();
// Whether this build can run over MPI ranks.
bool HaveMpi();

// A point outcome as one line of JSON (the journal's and MPI's record) and back.
std::string EncodeOutcome(const PointOutcome& outcome);
bool DecodeOutcome(const std::string& line, PointOutcome* outcome);

}  // namespace ohlin::sweeps
