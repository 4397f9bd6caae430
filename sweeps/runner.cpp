#include "sweeps/runner.h"

#include <fmt/format.h>
#include <omp.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <queue>
#include <condition_variable>
#include <nlohmann/json.hpp>

#include "calibration/errors.h"
#include "sweeps/parallel.h"

namespace ohlin::sweeps {
namespace {

using Json = nlohmann::json;
using Clock = std::chrono::steady_clock;

// The live progress line: points done / failed / total, rate and time left.
class Progress {
 public:
  Progress(bool on, int total, int done)
      : on_(on), total_(total), done_(done), start_done_(done), begin_(Clock::now()) {}
  void Add(int done, int failed) {
    done_ += done;
    failed_ += failed;
    if (!on_) return;
    const double seconds = std::chrono::duration<double>(Clock::now() - begin_).count();
    const double rate = seconds > 0.0 ? (done_ - start_done_) / seconds : 0.0;
    const double left = rate > 0.0 ? (total_ - done_) / rate : 0.0;
    std::fprintf(stderr, "\r  points %d/%d done, %d failed, %.1f/s, %.0f s left   ", done_,
                 total_, failed_, rate, left);
    std::fflush(stderr);
  }
  void Finish() {
    if (on_) std::fprintf(stderr, "\n");
  }

 private:
  bool on_;
  int total_, done_, start_done_, failed_ = 0;
  Clock::time_point begin_;
};

// The journal: a header line with the input's fingerprint, then one line per finished point.
class Journal {
 public:
  Journal(const std::string& path, const std::string& fingerprint, int num_points, bool resume,
          std::vector<PointOutcome>* outcomes, std::vector<bool>* done);
  bool on() const { return out_.is_open(); }
  // One finished point's record (EncodeOutcome).
  void Append(const std::string& record) {
    if (!out_.is_open()) return;
    out_ << record << '\n';
    out_.flush();
  }

 private:
  std::ofstream out_;
};

Journal::Journal(const std::string& path, const std::string& fingerprint, int num_points,
                 bool resume, std::vector<PointOutcome>* outcomes, std::vector<bool>* done) {
  if (path.empty()) return;
  const std::string header = Json{{"ohlin_journal", 1}, {"fingerprint", fingerprint}}.dump();
  std::vector<std::string> kept;
  if (resume) {
    std::ifstream in(path);
    if (!in) throw InputError(fmt::format("{}: --resume: no journal to resume from", path));
    std::string line;
    if (!std::getline(in, line) || line != header) {
      throw InputError(fmt::format("{}:1: --resume: this journal belongs to another input "
                                   "(the scenario or its data changed); run without --resume",
                                   path));
    }
    while (std::getline(in, line)) {
      PointOutcome outcome;
      // A line cut off by a kill does not decode: that point is solved again.
      if (!DecodeOutcome(line, &outcome) || outcome.point < 0 || outcome.point >= num_points) {
        continue;
      }
      const auto p = static_cast<std::size_t>(outcome.point);
      if ((*done)[p]) continue;
      (*done)[p] = true;
      (*outcomes)[p] = std::move(outcome);
      kept.push_back(line);
    }
  }
  // Rewritten without any cut-off line, then appended to.
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  out_.open(path, std::ios::trunc);
  if (!out_) throw std::runtime_error(fmt::format("cannot write the journal {}", path));
  out_ << header << '\n';
  for (const std::string& line : kept) out_ << line << '\n';
  out_.flush();
}

}  // namespace

std::vector<int> Waves(const std::vector<int>& family) {
  std::map<int, std::vector<int>> members;
  for (std::size_t p = 0; p < family.size(); ++p) members[family[p]].push_back(static_cast<int>(p));
  std::vector<int> waves(family.size());
  for (const auto& [id, points] : members) {
    const int count = static_cast<int>(points.size());
    for (int k = 0; k < count; ++k) {
      waves[static_cast<std::size_t>(points[static_cast<std::size_t>(k)])] = WaveOf(k, count);
    }
  }
  return waves;
}

int WaveOf(int point, int num_points) {
  if (point == 0) return 0;
  int depth = 0;
  while ((1 << depth) < num_points) ++depth;
  return depth - std::countr_zero(static_cast<unsigned>(point));
}

int NearestEarlier(const RunPlan& plan, int point, const std::vector<int>& waves) {
  const auto p = static_cast<std::size_t>(point);
  int best = -1;
  double best_distance = std::numeric_limits<double>::infinity();
  for (std::size_t q = 0; q < waves.size(); ++q) {
    if (waves[q] >= waves[p] || plan.family[q] != plan.family[p]) continue;
    double distance = 0.0;
    for (std::size_t k = 0; k < plan.coordinates[p].size(); ++k) {
      const double d = plan.coordinates[p][k] - plan.coordinates[q][k];
      distance += d * d;
    }
    if (distance < best_distance) {
      best_distance = distance;
      best = static_cast<int>(q);
    }
  }
  return best;
}

std::vector<int> Parents(const RunPlan& plan, const std::vector<int>& waves) {
  std::vector<int> parents(waves.size());
  const auto n = static_cast<long long>(waves.size());
#pragma omp parallel for schedule(static)
  for (long long p = 0; p < n; ++p) {
    parents[static_cast<std::size_t>(p)] = NearestEarlier(plan, static_cast<int>(p), waves);
  }
  return parents;
}

std::vector<int> Brackets(const RunPlan& plan, const std::vector<int>& waves,
                          const std::vector<int>& parents) {
  std::vector<int> others(waves.size(), -1);
  const auto n = static_cast<long long>(waves.size());
#pragma omp parallel for schedule(static)
  for (long long point = 0; point < n; ++point) {
    const auto p = static_cast<std::size_t>(point);
    const int parent = parents[p];
    if (parent < 0) continue;
    const std::vector<double>& c = plan.coordinates[p];
    const std::vector<double>& a = plan.coordinates[static_cast<std::size_t>(parent)];
    double best_distance = std::numeric_limits<double>::infinity();
    for (std::size_t q = 0; q < waves.size(); ++q) {
      if (waves[q] >= waves[p] || plan.family[q] != plan.family[p] ||
          static_cast<int>(q) == parent) {
        continue;
      }
      double distance = 0.0, side = 0.0;
      for (std::size_t k = 0; k < c.size(); ++k) {
        const double d = plan.coordinates[q][k] - c[k];
        distance += d * d;
        side += d * (a[k] - c[k]);
      }
      if (side < 0.0 && distance < best_distance) {
        best_distance = distance;
        others[p] = static_cast<int>(q);
      }
    }
  }
  return others;
}

bool Interpolate(const RunPlan& plan, int point, int from, int other,
                 const std::vector<PointOutcome>& outcomes, std::vector<double>* state) {
  if (from < 0 || other < 0) return false;
  const PointOutcome& a = outcomes[static_cast<std::size_t>(from)];
  const PointOutcome& b = outcomes[static_cast<std::size_t>(other)];
  if (!a.converged || !b.converged || a.state.size() != b.state.size() || a.state.empty()) {
    return false;
  }
  const auto& c = plan.coordinates[static_cast<std::size_t>(point)];
  const auto& ca = plan.coordinates[static_cast<std::size_t>(from)];
  const auto& cb = plan.coordinates[static_cast<std::size_t>(other)];
  double along = 0.0, length = 0.0;
  for (std::size_t k = 0; k < c.size(); ++k) {
    along += (c[k] - ca[k]) * (cb[k] - ca[k]);
    length += (cb[k] - ca[k]) * (cb[k] - ca[k]);
  }
  if (!(length > 0.0)) return false;
  const double t = std::clamp(along / length, 0.0, 1.0);
  state->resize(a.state.size());
  for (std::size_t i = 0; i < a.state.size(); ++i) {
    (*state)[i] = a.state[i] + t * (b.state[i] - a.state[i]);
  }
  return true;
}

int StartOf(int point, const std::vector<int>& parents, const std::vector<PointOutcome>& outcomes) {
  int s = parents[static_cast<std::size_t>(point)];
  while (s >= 0 && !outcomes[static_cast<std::size_t>(s)].converged) {
    s = parents[static_cast<std::size_t>(s)];
  }
  return s;
}

std::string EncodeOutcome(const PointOutcome& o) {
  Json tables = Json::array();
  for (const auto& [name, csv] : o.tables) tables.push_back({name, csv});
  return Json{{"point", o.point},   {"converged", o.converged}, {"iterations", o.iterations},
              {"seconds", o.seconds}, {"start", o.start},       {"reason", o.reason},
              {"state", o.state},   {"tables", tables}}
      .dump(-1, ' ', false, Json::error_handler_t::replace);
}

bool DecodeOutcome(const std::string& line, PointOutcome* o) {
  try {
    const Json json = Json::parse(line);
    o->point = json.at("point").get<int>();
    o->converged = json.at("converged").get<bool>();
    o->iterations = json.at("iterations").get<int>();
    o->seconds = json.at("seconds").get<double>();
    o->start = json.at("start").get<int>();
    o->reason = json.at("reason").get<std::string>();
    o->state = json.at("state").get<std::vector<double>>();
    o->tables.clear();
    for (const Json& table : json.at("tables")) {
      o->tables.emplace_back(table.at(0).get<std::string>(), table.at(1).get<std::string>());
    }
    return true;
  } catch (const Json::exception&) {
    return false;
  }
}

namespace {

// The order points are taken in: by wave, then by index.
struct Order {
  const std::vector<int>* waves;
  bool operator()(int a, int b) const {  // "after", for a min-heap
    const auto wa = (*waves)[static_cast<std::size_t>(a)], wb = (*waves)[static_cast<std::size_t>(b)];
    return wa != wb ? wa > wb : a > b;
  }
};

// The points of one run and what is finished: shared by the threads under `mutex`.
struct Shared {
  Shared(std::vector<PointOutcome>* o, std::vector<bool>* d, Journal* j, Progress* p,
         const std::vector<int>* waves)
      : outcomes(o), done(d), journal(j), progress(p), ready(Order{waves}) {}
  std::vector<PointOutcome>* outcomes;
  std::vector<bool>* done;
  Journal* journal;
  Progress* progress;
  std::mutex mutex;
  std::condition_variable wake;
  std::priority_queue<int, std::vector<int>, Order> ready;
  std::vector<std::vector<int>> children;  // the points waiting for each point
  std::vector<int> waiting;                 // how many unfinished points each waits for
  int running = 0;
};

// Who a point starts from: its parent (nearest of an earlier wave) and the point bracketing it
// from the other side (-1: none).
struct Lineage {
  const RunPlan* plan;
  std::vector<int> parents, others;
};

// Solves point p: from the start of StartOf, or, when its parent and the bracketing point both
// converged, from the straight line between their unknowns at p's projection onto the segment.
PointOutcome SolveFrom(const Lineage& lineage, const SolvePoint& solve, int p,
                       const std::vector<PointOutcome>& outcomes) {
  const auto at = static_cast<std::size_t>(p);
  const int from = StartOf(p, lineage.parents, outcomes);
  PointOutcome predicted;
  const PointOutcome* start = from < 0 ? nullptr : &outcomes[static_cast<std::size_t>(from)];
  if (from == lineage.parents[at] &&
      Interpolate(*lineage.plan, p, from, lineage.others[at], outcomes, &predicted.state)) {
    predicted.converged = true;
    start = &predicted;
  }
  PointOutcome outcome = solve(p, start);
  outcome.point = p;
  outcome.start = from;
  return outcome;
}

// One process (no MPI): every thread takes the first ready point (by wave, then index), solves
// it, and makes its children ready; no thread waits for a wave to end.
void RunReady(const Lineage& lineage, const SolvePoint& solve, int threads, Shared* shared) {
#pragma omp parallel num_threads(threads)
  for (;;) {
    int p = -1;
    {
      std::unique_lock<std::mutex> lock(shared->mutex);
      shared->wake.wait(lock, [&] { return !shared->ready.empty() || shared->running == 0; });
      if (shared->ready.empty()) break;  // nothing ready and nothing running: all done
      p = shared->ready.top();
      shared->ready.pop();
      ++shared->running;
    }
    // Reads only finished points (p's parent, bracket and ancestors), never written again.
    PointOutcome outcome = SolveFrom(lineage, solve, p, *shared->outcomes);
    // Encoded outside the lock: only the write is serial.
    const std::string record = shared->journal != nullptr && shared->journal->on()
                                   ? EncodeOutcome(outcome)
                                   : std::string();
    {
      const std::lock_guard<std::mutex> lock(shared->mutex);
      if (!record.empty()) shared->journal->Append(record);
      shared->progress->Add(1, outcome.converged ? 0 : 1);
      (*shared->outcomes)[static_cast<std::size_t>(p)] = std::move(outcome);
      (*shared->done)[static_cast<std::size_t>(p)] = true;
      for (const int child : shared->children[static_cast<std::size_t>(p)]) {
        if (--shared->waiting[static_cast<std::size_t>(child)] == 0) shared->ready.push(child);
      }
      --shared->running;
    }
    shared->wake.notify_all();
  }
}

// Over MPI ranks: wave by wave, each rank's share over its threads, then shared by all.
void RunWaves(const std::vector<int>& waves, const Lineage& lineage, const SolvePoint& solve,
              int threads, Shared* shared) {
  const int rank = WorldRank(), size = WorldSize();
  auto& outcomes = *shared->outcomes;
  auto& done = *shared->done;
  const int last_wave = waves.empty() ? 0 : *std::max_element(waves.begin(), waves.end());
  for (int wave = 0; wave <= last_wave; ++wave) {
    std::vector<int> todo;  // this wave's unfinished points, every rank's share in turn
    for (std::size_t p = 0; p < waves.size(); ++p) {
      if (waves[p] == wave && !done[p]) todo.push_back(static_cast<int>(p));
    }
    std::vector<int> mine;
    for (std::size_t k = 0; k < todo.size(); ++k) {
      if (static_cast<int>(k % static_cast<std::size_t>(size)) == rank) mine.push_back(todo[k]);
    }
    const auto count = static_cast<long long>(mine.size());
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
    for (long long k = 0; k < count; ++k) {
      const int p = mine[static_cast<std::size_t>(k)];
      PointOutcome outcome = SolveFrom(lineage, solve, p, outcomes);
      outcomes[static_cast<std::size_t>(p)] = std::move(outcome);
    }
    ShareWave(todo, &outcomes);
    int failed = 0;
    for (int p : todo) {
      const PointOutcome& outcome = outcomes[static_cast<std::size_t>(p)];
      if (shared->journal != nullptr) shared->journal->Append(EncodeOutcome(outcome));
      failed += outcome.converged ? 0 : 1;
      done[static_cast<std::size_t>(p)] = true;
    }
    shared->progress->Add(static_cast<int>(todo.size()), failed);
  }
}

}  // namespace

std::vector<PointOutcome> RunPoints(const RunPlan& plan, const SolvePoint& solve,
                                    const RunOptions& options) {
  const int n = static_cast<int>(plan.coordinates.size());
  const int rank = WorldRank();
  std::vector<PointOutcome> outcomes(static_cast<std::size_t>(n));
  std::vector<bool> done(static_cast<std::size_t>(n), false);
  const std::vector<int> waves = Waves(plan.family);
  Lineage lineage{&plan, Parents(plan, waves), {}};
  lineage.others = Brackets(plan, waves, lineage.parents);
  // Only rank 0 keeps the journal; every rank reads it on --resume.
  std::unique_ptr<Journal> journal;
  if (rank == 0) {
    journal = std::make_unique<Journal>(options.journal_path, options.fingerprint, n,
                                        options.resume, &outcomes, &done);
  }
  ShareResumed(&outcomes, &done);
  // A resumed point whose parent or bracket is not finished (a journal cut off oddly) is solved
  // again, so that whatever a point starts from is finished before it starts.
  std::vector<int> order(static_cast<std::size_t>(n));
  for (int p = 0; p < n; ++p) order[static_cast<std::size_t>(p)] = p;
  std::sort(order.begin(), order.end(), [&](int a, int b) { return Order{&waves}(b, a); });
  auto unfinished = [&](int q) { return q >= 0 && !done[static_cast<std::size_t>(q)]; };
  for (const int p : order) {
    const auto at = static_cast<std::size_t>(p);
    if (unfinished(lineage.parents[at]) || unfinished(lineage.others[at])) done[at] = false;
  }
  const int resumed = static_cast<int>(std::count(done.begin(), done.end(), true));
  Progress progress(options.progress && rank == 0, n, resumed);
  Shared shared(&outcomes, &done, journal.get(), &progress, &waves);
  if (WorldSize() > 1) {
    RunWaves(waves, lineage, solve, options.threads, &shared);
  } else {
    shared.children.resize(static_cast<std::size_t>(n));
    shared.waiting.assign(static_cast<std::size_t>(n), 0);
    for (int p = 0; p < n; ++p) {
      const auto at = static_cast<std::size_t>(p);
      if (done[at]) continue;
      for (const int q : {lineage.parents[at], lineage.others[at]}) {
        if (!unfinished(q)) continue;
        shared.children[static_cast<std::size_t>(q)].push_back(p);
        ++shared.waiting[at];
      }
      if (shared.waiting[at] == 0) shared.ready.push(p);
    }
    RunReady(lineage, solve, options.threads, &shared);
  }
  progress.Finish();
  return outcomes;
}

}  // namespace ohlin::sweeps
