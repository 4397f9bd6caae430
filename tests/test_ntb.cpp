// Non-tariff barriers (MODEL.md section 4): rent-generating NTBs, quotas with endogenous rents,
// export bans.
#include <cmath>
#include <map>
#include <random>
#include <string>

#include <catch2/catch.hpp>

#include "calibration/synth.h"
#include "model/equilibrium.h"
#include "model/model.h"
#include "solver/solver.h"
#include "tests/test_support.h"

using namespace ohlin;

namespace {

// A balanced 3-region, 3-sector, 2-factor world with intermediates, tariffs, iceberg NTBs and
// deficits; Armington 5 everywhere.
Benchmark World() {
  SynthOptions options;
  options.regions = 3;
  options.sectors = 3;
  options.factors = 2;
  options.seed = 7;
  options.zero_flow_share = 0.0;
  Benchmark b = Synthesize(options);
  for (double& sigma : b.elasticities.armington) sigma = 5.0;
  return b;
}

struct Solved {
  Model model;
  Policy policy;
  State x;
  Outcome outcome;
};

Solved SolveOrFail(const Benchmark& data, const Policy& policy) {
  Solved s{Model::Calibrate(data, {}, {}, policy.quotas), policy, {}, {}};
  s.x = s.model.BenchmarkState();
  SolverSummary summary;
  Solve(SolverOptions(), s.model, policy, &s.x, &summary);
  INFO(summary.FullReport());
  REQUIRE(summary.IsConverged());
  CHECK(std::abs(summary.walras_residual) < 1e-8);
  s.outcome = s.model.ComputeOutcome(policy, s.x);
  return s;
}

// Landed quantity hat of flow (i, r, s).
double LandedQuantity(const Solved& s, int i, int r, int t) {
  const EquilibriumSystem system(s.model, s.policy, 1, false);
  return system.access(i, r, t) *
         std::exp(system.LogOpenLandedQuantityHat(s.x.data(), i, r, t));
}

double QuotaRent(const Solved& s, int k) {
  return std::expm1(s.x[s.model.quota_rent_index(k)]);
}

double WorldEv(const Outcome& o) {
  double total = 0.0;
  for (const RegionOutcome& r : o.regions) total += r.ev;
  return total;
}

// Every variable of `a` by name, compared with the same variable of `b`.
void CheckSameState(const Solved& a, const Solved& b, double tolerance) {
  std::map<std::string, double> values;
  for (int k = 0; k < b.model.num_variables(); ++k) values[b.model.VariableName(k)] = b.x[k];
  for (int k = 0; k < a.model.num_variables(); ++k) {
    const std::string name = a.model.VariableName(k);
    REQUIRE(values.count(name) == 1);
    INFO(name);
    CHECK(a.x[k] == Approx(values[name]).margin(tolerance));
  }
}

constexpr int kGood = 1, kFrom = 0, kTo = 1;  // the flow the tests restrict

}  // namespace

TEST_CASE("the analytic Jacobian holds with rents, quotas and restricted market access",
          "[ntb][derivatives]") {
  const Benchmark data = World();
  Policy policy = Policy::Benchmark(data);
  policy.importer_rent(0, 1, 2) = 0.2;
  policy.exporter_rent(2, 2, 0) = 0.15;
  policy.tariffs(kGood, kFrom, kTo) = 0.1;
  policy.quotas.push_back({kGood, kFrom, kTo, 0.8, RentOwner::kImporter});
  policy.quotas.push_back({0, 2, 1, 0.9, RentOwner::kExporter});
  policy.exporter_rent(0, 2, 1) = 0.05;
  policy.importer_rent(0, 2, 1) = 0.1;
  policy.access(2, 1, 0) = 0.5;
  policy.access(2, 0, 2) = 0.0;
  const Model model = Model::Calibrate(data, {}, {}, policy.quotas);
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<double> u(-0.2, 0.2);
  State x = model.BenchmarkState();
  for (double& v : x) v += u(rng);
  testing::CheckJacobianAgainstFiniteDifferences(model, policy, x);
}

TEST_CASE("a quota at the quantity a tariff gives reproduces the tariff's equilibrium",
          "[ntb][quota]") {
  const Benchmark data = World();
  Policy tariff = Policy::Benchmark(data);
  const double tm0 = data.tariffs(kGood, kFrom, kTo);
  tariff.tariffs(kGood, kFrom, kTo) = (1.0 + tm0) * 1.3 - 1.0;  // the landed price +30%
  const Solved with_tariff = SolveOrFail(data, tariff);
  const double quantity = LandedQuantity(with_tariff, kGood, kFrom, kTo);
  REQUIRE(quantity < 0.9);  // the tariff restricts the flow

  Policy quota = Policy::Benchmark(data);
  quota.quotas.push_back({kGood, kFrom, kTo, quantity, RentOwner::kImporter});
  const Solved with_quota = SolveOrFail(data, quota);
  // The rent rate is the tariff's wedge, and every price, quantity and income is the same.
  CHECK(QuotaRent(with_quota, 0) == Approx(0.3).margin(1e-8));
  CheckSameState(with_tariff, with_quota, 1e-8);
  for (std::size_t r = 0; r < data.num_regions(); ++r) {
    CHECK(with_quota.outcome.regions[r].ev ==
          Approx(with_tariff.outcome.regions[r].ev).margin(1e-8));
  }
}

TEST_CASE("a quota that does not bind changes nothing and earns no rent", "[ntb][quota]") {
  const Benchmark data = World();
  Policy policy = Policy::Benchmark(data);
  policy.tariffs(0, 2, 0) = 0.3;  // something happens elsewhere
  const Solved free = SolveOrFail(data, policy);
  const double quantity = LandedQuantity(free, kGood, kFrom, kTo);
  policy.quotas.push_back({kGood, kFrom, kTo, quantity * 1.25, RentOwner::kImporter});
  const Solved capped = SolveOrFail(data, policy);
  CHECK(std::abs(QuotaRent(capped, 0)) < 1e-12);
  CheckSameState(free, capped, 1e-9);
}

TEST_CASE("a binding quota caps the landed quantity and its rent follows its owner",
          "[ntb][quota]") {
  const Benchmark data = World();
  Policy policy = Policy::Benchmark(data);
  policy.quotas.push_back({kGood, kFrom, kTo, 0.7, RentOwner::kImporter});
  const Solved importer = SolveOrFail(data, policy);
  policy.quotas[0].owner = RentOwner::kExporter;
  const Solved exporter = SolveOrFail(data, policy);
  for (const Solved* s : {&importer, &exporter}) {
    CHECK(LandedQuantity(*s, kGood, kFrom, kTo) == Approx(0.7).epsilon(1e-9));
    CHECK(QuotaRent(*s, 0) > 0.01);
    const EquilibriumSystem system(s->model, s->policy, 1, false);
    CHECK(system.QuotaComplementarityGap(s->x.data()) < 1e-9);
  }
  // The rent is income of its owner: moving it from the importer to the exporter makes the
  // exporter better off and the importer worse off.
  CHECK(exporter.outcome.regions[kFrom].ev > importer.outcome.regions[kFrom].ev);
  CHECK(importer.outcome.regions[kTo].ev > exporter.outcome.regions[kTo].ev);
  // What the importer gives up is of the order of the rent on the capped quantity (within half
  // of it: the rent is valued at counterfactual prices, and the transfer moves prices too).
  const double moved_from_importer = importer.outcome.regions[kTo].ev - exporter.outcome.regions[kTo].ev;
  const double rent_value = QuotaRent(importer, 0) * data.trade(kGood, kFrom, kTo) * 0.7;
  CHECK(moved_from_importer == Approx(rent_value).epsilon(0.5));
}

TEST_CASE("moving an NTB's rent between importer and exporter moves welfare between them",
          "[ntb][rents]") {
  const Benchmark data = World();
  Policy policy = Policy::Benchmark(data);
  policy.importer_rent(kGood, kFrom, kTo) = 0.3;
  const Solved importer = SolveOrFail(data, policy);
  policy.importer_rent(kGood, kFrom, kTo) = 0.0;
  policy.exporter_rent(kGood, kFrom, kTo) = 0.3;
  const Solved exporter = SolveOrFail(data, policy);
  CHECK(exporter.outcome.regions[kFrom].ev > importer.outcome.regions[kFrom].ev);
  CHECK(importer.outcome.regions[kTo].ev > exporter.outcome.regions[kTo].ev);
  // Without a tariff on the flow both wedges raise its landed price by the same factor, so the
  // landed quantity moves only through the income transfer: by less than 2%.
  const double q_importer = LandedQuantity(importer, kGood, kFrom, kTo);
  const double q_exporter = LandedQuantity(exporter, kGood, kFrom, kTo);
  CHECK(q_importer < 0.95);
  CHECK(std::abs(q_importer / q_exporter - 1.0) < 0.02);
}

TEST_CASE("an NTB that earns rents costs the world less than an iceberg NTB of the same size",
          "[ntb][rents]") {
  const Benchmark data = World();
  Policy iceberg = Policy::Benchmark(data);
  Policy rents = Policy::Benchmark(data);
  for (int i = 0; i < 3; ++i) {
    for (int r = 0; r < 3; ++r) {
      for (int s = 0; s < 3; ++s) {
        if (r == s) continue;
        // The same tariff equivalent: +20% on the landed price.
        iceberg.ntb(i, r, s) = (1.0 + data.ntb(i, r, s)) * 1.2 - 1.0;
        rents.importer_rent(i, r, s) = 0.2;
      }
    }
  }
  const Solved wasted = SolveOrFail(data, iceberg);
  const Solved collected = SolveOrFail(data, rents);
  CHECK(WorldEv(wasted.outcome) < 0.0);
  CHECK(WorldEv(collected.outcome) > WorldEv(wasted.outcome));
  // The landed price wedge is the same, so without the resources lost in transit every region
  // is better off with the rents.
  for (std::size_t r = 0; r < data.num_regions(); ++r) {
    CHECK(collected.outcome.regions[r].ev > wasted.outcome.regions[r].ev);
  }
}

TEST_CASE("an export ban converges, costs the importer, and is the limit of rising tariffs",
          "[ntb][ban]") {
  const Benchmark data = World();
  Policy ban = Policy::Benchmark(data);
  ban.access(kGood, kFrom, kTo) = 0.0;
  const Solved banned = SolveOrFail(data, ban);
  CHECK(banned.outcome.regions[kTo].ev < 0.0);
  for (const FlowOutcome& flow : banned.outcome.flows) {
    if (flow.sector == kGood && flow.exporter == kFrom && flow.importer == kTo) {
      CHECK(flow.value_new == 0.0);
    }
  }
  // A tariff that rises towards prohibitive approaches the ban's welfare from above.
  const double tm0 = data.tariffs(kGood, kFrom, kTo);
  double previous_gap = HUGE_VAL;
  for (double factor : {2.0, 10.0, 100.0, 1000.0}) {
    Policy tariff = Policy::Benchmark(data);
    tariff.tariffs(kGood, kFrom, kTo) = (1.0 + tm0) * factor - 1.0;
    const Solved taxed = SolveOrFail(data, tariff);
    const double gap = taxed.outcome.regions[kTo].ev - banned.outcome.regions[kTo].ev;
    INFO("tariff factor " << factor);
    CHECK(gap < previous_gap);
    previous_gap = gap;
  }
  CHECK(std::abs(previous_gap) < 1e-6 * std::abs(banned.outcome.regions[kTo].ev));
}

TEST_CASE("a quota the model was not calibrated with is refused, not ignored", "[ntb][quota]") {
  const Benchmark data = World();
  Policy policy = Policy::Benchmark(data);
  policy.quotas.push_back({kGood, kFrom, kTo, 0.5, RentOwner::kImporter});
  const Model model = Model::Calibrate(data);  // without the quota
  State x = model.BenchmarkState();
  SolverSummary summary;
  Solve(SolverOptions(), model, policy, &x, &summary);
  CHECK(summary.termination_type == TerminationType::kFailure);
  CHECK_THAT(summary.message, Catch::Contains("not calibrated with"));
}
