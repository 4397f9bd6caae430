// Solving at size and under large shocks (the scale issue): a generated 40x30x4 world and the
// model's invariants there, shocks that need continuation, thread-count independence, and warm
// starts from an earlier result (`ohlin solve --start`).
#include <dlfcn.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "calibration/synth.h"
#include "calibration/writer.h"
#include "model/equilibrium.h"
#include "model/model.h"
#include "solver/blas_threads.h"
#include "solver/solver.h"
#include "tests/test_support.h"

using namespace ohlin;

namespace {

Benchmark World(int regions, int sectors, int factors, bool deficits, std::uint64_t seed = 5) {
  SynthOptions options;
  options.regions = regions;
  options.sectors = sectors;
  options.factors = factors;
  options.deficits = deficits;
  options.seed = seed;
  return Synthesize(options);
}

void AddToEveryTariff(const Benchmark& data, Policy* policy, double points) {
  for (std::size_t i = 0; i < data.num_sectors(); ++i)
    for (std::size_t r = 0; r < data.num_regions(); ++r)
      for (std::size_t s = 0; s < data.num_regions(); ++s)
        if (r != s) policy->tariffs(i, r, s) += points;
}

struct Run {
  State state;
  SolverSummary summary;
  Outcome outcome;
};

Run SolveFrom(const Model& model, const Policy& policy, State start, int threads = 1) {
  Run run{std::move(start), {}, {}};
  SolverOptions options;
  options.num_threads = threads;
  Solve(options, model, policy, &run.state, &run.summary);
  if (run.summary.IsConverged()) run.outcome = model.ComputeOutcome(policy, run.state);
  return run;
}

double CrossBorderTrade(const Outcome& outcome, int region, bool base) {
  double total = 0.0;
  for (const FlowOutcome& flow : outcome.flows) {
    if (flow.exporter == flow.importer) continue;
    if (flow.exporter == region || flow.importer == region) {
      total += base ? flow.value_base : flow.value_new;
    }
  }
  return total;
}

}  // namespace

TEST_CASE("a generated 40x30x4 world converges and keeps Walras and numeraire invariance",
          "[scale]") {
  const Benchmark data = World(40, 30, 4, /*deficits=*/false);
  Policy policy = Policy::Benchmark(data);
  AddToEveryTariff(data, &policy, 0.10);
  const Model model = Model::Calibrate(data);
  REQUIRE(model.num_variables() > kKrylovThreshold);  // the GMRES path
  const Run run = SolveFrom(model, policy, model.BenchmarkState());
  INFO(run.summary.FullReport());
  REQUIRE(run.summary.IsConverged());
  CHECK(run.summary.final_max_residual < 1e-10);
  CHECK(std::abs(run.summary.walras_residual) < 1e-9);

  Numeraire numeraire;
  numeraire.kind = Numeraire::Kind::kFactorPrice;
  numeraire.region = 7;
  numeraire.factor = 2;
  numeraire.description = "R008/F3";
  const Model other = Model::Calibrate(data, numeraire);
  const Run again = SolveFrom(other, policy, other.BenchmarkState());
  REQUIRE(again.summary.IsConverged());
  for (std::size_t k = 0; k < run.outcome.regions.size(); ++k) {
    CHECK(run.outcome.regions[k].ev_pct == Approx(again.outcome.regions[k].ev_pct).margin(1e-8));
  }
  for (std::size_t k = 0; k < run.outcome.factors.size(); ++k) {
    CHECK(run.outcome.factors[k].real_price_hat ==
          Approx(again.outcome.factors[k].real_price_hat).epsilon(1e-9));
  }
}

TEST_CASE("large shocks converge from the benchmark by continuation", "[scale][continuation]") {
  const Benchmark data = World(8, 6, 3, /*deficits=*/true, 11);
  const Model model = Model::Calibrate(data);
  const Policy benchmark = Policy::Benchmark(data);
  const int walled = 2;

  SECTION("a 1000% tariff wall around one region") {
    Policy policy = benchmark;
    for (std::size_t i = 0; i < data.num_sectors(); ++i) {
      for (std::size_t r = 0; r < data.num_regions(); ++r) {
        if (static_cast<int>(r) == walled) continue;
        policy.tariffs(i, r, walled) = 10.0;  // its imports
        policy.tariffs(i, walled, r) = 10.0;  // its exports
      }
    }
    const Run run = SolveFrom(model, policy, model.BenchmarkState());
    INFO(run.summary.FullReport());
    REQUIRE(run.summary.IsConverged());
    CHECK_FALSE(run.summary.continuation_path.empty());
    CHECK(run.summary.continuation_path.back() == 1.0);
    // Its cross-border trade all but vanishes, and it loses.
    CHECK(CrossBorderTrade(run.outcome, walled, false) <
          0.1 * CrossBorderTrade(run.outcome, walled, true));
    CHECK(run.outcome.regions[walled].ev < 0.0);
  }
  SECTION("+500 points of iceberg cost on every flow") {
    Policy policy = benchmark;
    for (std::size_t i = 0; i < data.num_sectors(); ++i)
      for (std::size_t r = 0; r < data.num_regions(); ++r)
        for (std::size_t s = 0; s < data.num_regions(); ++s)
          if (r != s) policy.ntb(i, r, s) += 5.0;
    const Run run = SolveFrom(model, policy, model.BenchmarkState());
    INFO(run.summary.FullReport());
    REQUIRE(run.summary.IsConverged());
    for (const RegionOutcome& region : run.outcome.regions) CHECK(region.ev < 0.0);
  }
  SECTION("halving one region's productivity") {
    Policy policy = benchmark;
    for (std::size_t i = 0; i < data.num_sectors(); ++i) {
      policy.productivity[i * data.num_regions() + walled] = 0.5;
    }
    const Run run = SolveFrom(model, policy, model.BenchmarkState());
    INFO(run.summary.FullReport());
    REQUIRE(run.summary.IsConverged());
    CHECK(run.outcome.regions[walled].ev_pct < -20.0);
  }
  SECTION("autarky-like barriers (+10000% NTBs) with deficits purged") {
    // With fixed deficits there is no equilibrium near autarky: trade must carry them.
    Policy policy = benchmark;
    for (std::size_t i = 0; i < data.num_sectors(); ++i)
      for (std::size_t r = 0; r < data.num_regions(); ++r)
        for (std::size_t s = 0; s < data.num_regions(); ++s)
          if (r != s) policy.ntb(i, r, s) += 100.0;
    for (double& d : policy.deficit) d = 0.0;
    const Run run = SolveFrom(model, policy, model.BenchmarkState());
    INFO(run.summary.FullReport());
    REQUIRE(run.summary.IsConverged());
    for (int r = 0; r < static_cast<int>(data.num_regions()); ++r) {
      CHECK(CrossBorderTrade(run.outcome, r, false) < 1e-3 * CrossBorderTrade(run.outcome, r, true));
    }
  }
}

TEST_CASE("results do not depend on the number of threads", "[scale][threads]") {
  const Benchmark data = World(30, 12, 3, /*deficits=*/true, 3);
  Policy policy = Policy::Benchmark(data);
  AddToEveryTariff(data, &policy, 0.25);
  const Model model = Model::Calibrate(data);
  const Run one = SolveFrom(model, policy, model.BenchmarkState(), 1);
  const Run two = SolveFrom(model, policy, model.BenchmarkState(), 2);
  REQUIRE(one.summary.IsConverged());
  REQUIRE(two.summary.IsConverged());
  CHECK(one.summary.iterations == two.summary.iterations);
  double largest = 0.0;
  for (std::size_t k = 0; k < one.state.size(); ++k) {
    largest = std::max(largest, std::abs(one.state[k] - two.state[k]));
  }
  CHECK(largest <= 1e-12);
}

TEST_CASE("a solve that starts from a nearby point's pattern and preconditioner finds the "
          "same equilibrium", "[scale][reuse]") {
  // The decomposition's path points share the first midpoint's Jacobian pattern and GMRES
  // preconditioner (solver/decomposition.cpp): the answer must be the plain solve's.
  const Benchmark data = World(40, 30, 4, /*deficits=*/false);
  Policy policy = Policy::Benchmark(data);
  AddToEveryTariff(data, &policy, 0.10);
  const Model model = Model::Calibrate(data);
  REQUIRE(model.num_variables() > kKrylovThreshold);  // the GMRES path
  const Policy half = InterpolatePolicy(Policy::Benchmark(data), policy, 0.5);
  SolveReuse reuse;
  State midpoint = model.BenchmarkState();
  SolverSummary summary;
  Solve(SolverOptions(), model, half, &midpoint, &summary, &reuse);
  REQUIRE(summary.IsConverged());
  REQUIRE(reuse.pattern != nullptr);
  REQUIRE(reuse.preconditioner != nullptr);

  const Run plain = SolveFrom(model, policy, midpoint);
  REQUIRE(plain.summary.IsConverged());
  State shared = midpoint;
  SolveReuse copy = reuse;
  SolverSummary shared_summary;
  Solve(SolverOptions(), model, policy, &shared, &shared_summary, &copy);
  INFO(shared_summary.FullReport());
  REQUIRE(shared_summary.IsConverged());
  CHECK(shared_summary.factorisations < plain.summary.factorisations);  // it used the midpoint's
  CHECK(copy.pattern == reuse.pattern);
  for (std::size_t k = 0; k < shared.size(); ++k) {
    INFO(model.VariableName(static_cast<int>(k)));
    REQUIRE(shared[k] == Approx(plain.state[k]).margin(1e-10));
  }

  // A pattern without a flow's derivatives (banned there) cannot serve a policy that trades:
  // Evaluate says so instead of dropping them.
  Policy ban = policy;
  int importer = 1;
  while (!(data.trade(0, 0, importer) > 0.0)) ++importer;
  ban.access(0, 0, importer) = 0.0;
  const EquilibriumSystem banned(model, ban);
  const EquilibriumSystem open(model, policy, banned.pattern());
  const EquilibriumSystem own(model, policy);
  REQUIRE(own.num_nonzeros() > banned.num_nonzeros());
  std::vector<double> residuals(static_cast<std::size_t>(model.num_variables()));
  std::vector<double> jacobian(static_cast<std::size_t>(own.num_nonzeros()));
  const State x = model.BenchmarkState();
  CHECK(own.Evaluate(x.data(), residuals.data(), jacobian.data()));
  CHECK(banned.Evaluate(x.data(), residuals.data(), jacobian.data()));
  CHECK_FALSE(open.Evaluate(x.data(), residuals.data(), jacobian.data()));
  const EquilibriumSystem same(model, ban, banned.pattern());
  CHECK(same.Evaluate(x.data(), residuals.data(), jacobian.data()));
}

TEST_CASE("ohlin solve --start warm-starts from an earlier result with fewer iterations",
          "[scale][warm-start][cli]") {
  const std::filesystem::path dir = testing::MakeTempDir("start");
  WriteBenchmark(World(6, 5, 3, true, 2), dir.string());
  auto scenario = [&](const std::string& name, double points) {
    std::ofstream out(dir / (name + ".yaml"));
    out << "ohlin: 1\nname: " << name << "\ndata: data.yaml\nshocks:\n"
        << "  - {type: tariff, importer: R001, add: " << points << "}\n";
  };
  scenario("first", 0.30);
  scenario("second", 0.31);
  auto run = [&](const std::string& name, const std::string& out, const std::string& extra) {
    const std::string command = std::string(OHLIN_BINARY) + " solve " +
                                (dir / (name + ".yaml")).string() + " --out " +
                                (dir / out).string() + " " + extra + " > /dev/null 2>&1";
    return std::system(command.c_str());
  };
  auto iterations = [&](const std::string& folder) {
    std::ifstream in(dir / folder / "summary.json");
    std::stringstream text;
    text << in.rdbuf();
    const std::string json = text.str();
    const std::size_t at = json.find("\"iterations\":");
    REQUIRE(at != std::string::npos);
    return std::atoi(json.c_str() + at + 13);
  };
  REQUIRE(run("first", "first", "") == 0);
  REQUIRE(run("second", "cold", "") == 0);
  REQUIRE(std::filesystem::exists(dir / "first" / "state.csv"));
  REQUIRE(run("second", "warm", "--start " + (dir / "first").string()) == 0);
  CHECK(iterations("warm") < iterations("cold"));
  // The warm start reaches the same equilibrium.
  auto state = [&](const std::string& folder) {
    std::ifstream in(dir / folder / "state.csv");
    std::vector<double> values;
    std::string line;
    std::getline(in, line);
    while (std::getline(in, line)) values.push_back(std::stod(line.substr(line.rfind(',') + 1)));
    return values;
  };
  const std::vector<double> cold = state("cold"), warm = state("warm");
  REQUIRE(cold.size() == warm.size());
  for (std::size_t k = 0; k < cold.size(); ++k) CHECK(cold[k] == Approx(warm[k]).margin(1e-9));
  // A start that is not there is bad input.
  CHECK(run("second", "bad", "--start " + (dir / "nowhere").string()) == 1 * 256);
}

TEST_CASE("bans, binding quotas and rents converge on a world solved with GMRES",
          "[scale][ntb]") {
  const Benchmark data = World(20, 10, 3, /*deficits=*/true, 13);
  const int nr = static_cast<int>(data.num_regions());
  Policy policy = Policy::Benchmark(data);
  for (int i = 0; i < 3; ++i) {
    if (data.trade(i, 0, 1) > 0.0) policy.access(i, 0, 1) = 0.0;  // export bans 0 -> 1
  }
  for (int r = 0; r < nr; ++r) {
    if (r == 2) continue;
    if (data.trade(3, r, 2) > 0.0) policy.quotas.push_back({3, r, 2, 0.5, RentOwner::kImporter});
    for (int i = 0; i < 10; ++i) {
      if (r != 3) policy.importer_rent(i, r, 3) = 0.3;
      if (r != 4) policy.exporter_rent(i, 4, r) = 0.2;
    }
  }
  REQUIRE(policy.quotas.size() >= 10);
  const Model model = Model::Calibrate(data, {}, {}, policy.quotas);
  REQUIRE(model.num_variables() > kKrylovThreshold);
  const Run run = SolveFrom(model, policy, model.BenchmarkState());
  INFO(run.summary.FullReport());
  REQUIRE(run.summary.IsConverged());
  CHECK(run.summary.method.find("GMRES") != std::string::npos);
  CHECK(std::abs(run.summary.walras_residual) < 1e-8);
  int binding = 0;
  for (const NtbOutcome& ntb : run.outcome.ntbs) {
    if (ntb.kind != "quota") continue;
    CHECK(ntb.quantity_hat <= 0.5 + 1e-9);
    CHECK(ntb.ave_new >= -1e-12);
    if (ntb.ave_new > 1e-6) ++binding;
  }
  CHECK(binding > 0);
  CHECK(run.outcome.quota_complementarity_gap < 1e-9);
}

namespace {

// The threads of this process now (Linux: one entry per thread in /proc/self/task).
int ThreadsNow() {
  int count = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator("/proc/self/task")) {
    ++count;
  }
  return count;
}

}  // namespace

TEST_CASE("OpenBLAS's spinning worker threads are stopped unless the user set their number",
          "[scale][threads]") {
  using GetParallel = int (*)();
  const auto get_parallel =
      reinterpret_cast<GetParallel>(dlsym(RTLD_DEFAULT, "openblas_get_parallel"));
  // OpenBLAS with its own (pthreads) worker threads.
  const bool openblas = get_parallel != nullptr && get_parallel() == 1;
  const bool user_set = std::getenv("OPENBLAS_NUM_THREADS") != nullptr;
  const int before = ThreadsNow();
  const int stopped = StopBlasWorkerThreads();
  // The workers are joined before it returns: exactly that many threads fewer.
  CHECK(ThreadsNow() == before - stopped);
  if (openblas && !user_set) {
    using GetThreads = int (*)();
    const auto get_threads =
        reinterpret_cast<GetThreads>(dlsym(RTLD_DEFAULT, "openblas_get_num_threads"));
    CHECK(get_threads() == 1);
    // OpenBLAS starts one worker per further core it may use.
    if (std::thread::hardware_concurrency() > 1) CHECK(stopped > 0);
  } else {
    CHECK(stopped == 0);
  }
  CHECK(StopBlasWorkerThreads() == 0);  // a second call finds none
  // BLAS still works on one thread: a sparse LU solve (UMFPACK calls it) converges.
  const Benchmark data = World(6, 5, 2, false);
  const Model model = Model::Calibrate(data);
  Policy policy = Policy::Benchmark(data);
  AddToEveryTariff(data, &policy, 0.10);
  SolverOptions options;
  options.step_solver = StepSolver::kSparseLu;
  State state = model.BenchmarkState();
  SolverSummary summary;
  Solve(options, model, policy, &state, &summary);
  CHECK(summary.IsConverged());
}
