// Benchmark accounts (MODEL.md section 2): incomes, revenues, deficits and identity checks.
#include <catch2/catch.hpp>

#include <string>

#include "calibration/accounts.h"
#include "calibration/benchmark.h"
#include "tests/test_support.h"

namespace ohlin {
namespace {

enum { kLab = 0, kCap = 1, kLabour = 0, kCapital = 1, kHome = 0, kForeign = 1 };

// MakeTwoByTwo plus taxes, with final demand raised so that every composite market clears:
// tm(LAB, FOREIGN->HOME) = 0.1 on 40, tx(CAP, HOME->FOREIGN) = 0.05 and tm = 0.2 on 40.
Benchmark MakeTaxedTwoByTwo() {
  Benchmark data = testing::MakeTwoByTwo();
  data.tariffs(kLab, kForeign, kHome) = 0.1;
  data.export_taxes(kCap, kHome, kForeign) = 0.05;
  data.tariffs(kCap, kHome, kForeign) = 0.2;
  data.final_demand[kHome][0][kLab] += 4.0;        // 40 * 0.1
  data.final_demand[kForeign][0][kCap] += 10.4;    // 40 * (1.05 * 1.2 - 1)
  return data;
}

const IdentityFailure* FindFailure(const Accounts& accounts, const std::string& account) {
  for (const IdentityFailure& failure : accounts.failures) {
    if (failure.account == account) return &failure;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("a balanced benchmark has no failures", "[accounts]") {
  for (const Benchmark& data : {testing::MakeTwoByTwo(), MakeTaxedTwoByTwo()}) {
    const Accounts accounts = ComputeAccounts(data);
    CHECK(accounts.failures.empty());
    CHECK(accounts.largest_relative_gap < 1e-14);
    REQUIRE(accounts.regions.size() == 2);
  }
}

TEST_CASE("deficits follow from tariffs and export taxes", "[accounts]") {
  const Accounts accounts = ComputeAccounts(MakeTaxedTwoByTwo());
  const RegionAccounts& home = accounts.regions[kHome];
  const RegionAccounts& foreign = accounts.regions[kForeign];
  CHECK(home.factor_income == Approx(200.0));
  CHECK(home.tariff_revenue == Approx(4.0));          // importer collects tm * X * (1 + tx)
  CHECK(home.export_tax_revenue == Approx(2.0));      // exporter collects tx * X
  CHECK(home.spending == Approx(204.0));
  CHECK(home.income() == Approx(206.0));
  CHECK(home.deficit == Approx(-2.0));
  CHECK(foreign.tariff_revenue == Approx(0.2 * 40.0 * 1.05));
  CHECK(foreign.export_tax_revenue == 0.0);
  CHECK(foreign.spending == Approx(210.4));
  CHECK(foreign.deficit == Approx(2.0));
  CHECK(home.deficit + foreign.deficit == Approx(0.0).margin(1e-12));
}

TEST_CASE("a perturbed factor payment fails zero profit by its relative size", "[accounts]") {
  Benchmark data = MakeTaxedTwoByTwo();
  data.factor_payments(kLabour, kLab, kHome) += 1.0;  // costs 81 vs output 80
  const Accounts accounts = ComputeAccounts(data);
  REQUIRE(accounts.failures.size() == 2);
  const IdentityFailure& first = accounts.failures[0];
  CHECK(first.account == "zero profit HOME/LAB");
  CHECK(first.lhs == Approx(81.0));
  CHECK(first.rhs == Approx(80.0));
  CHECK(first.relative == Approx(1.0 / 81.0));
  // Income rises by 1 with spending unchanged: world deficits are off by 1 in 414.4 spent.
  const IdentityFailure& second = accounts.failures[1];
  CHECK(second.account == "world deficits");
  CHECK(second.lhs == Approx(-1.0));
  CHECK(second.relative == Approx(1.0 / 414.4));
  CHECK(accounts.largest_relative_gap == Approx(1.0 / 81.0));
  CHECK(FindFailure(accounts, "composite market HOME/LAB") == nullptr);
}

TEST_CASE("a perturbed final demand fails its composite market", "[accounts]") {
  Benchmark data = MakeTaxedTwoByTwo();
  data.final_demand[kForeign][0][kCap] += 11.04;  // 110.4 -> 121.44, supply 110.4
  const Accounts accounts = ComputeAccounts(data);
  REQUIRE(accounts.failures.size() == 2);
  CHECK(accounts.failures[0].account == "composite market FOREIGN/CAP");
  CHECK(accounts.failures[0].lhs == Approx(110.4));
  CHECK(accounts.failures[0].rhs == Approx(121.44));
  CHECK(accounts.failures[0].relative == Approx(11.04 / 121.44));
  CHECK(accounts.failures[1].account == "world deficits");
  CHECK(accounts.failures[1].relative == Approx(11.04 / (414.4 + 11.04)));
}

TEST_CASE("the tolerance is relative and empty accounts are skipped", "[accounts]") {
  Benchmark data = MakeTaxedTwoByTwo();
  // Scaling every value by 1e6 keeps the benchmark balanced at relative 1e-6.
  for (Tensor3* table : {&data.factor_payments, &data.intermediates, &data.trade}) {
    for (double& value : table->data()) value *= 1e6;
  }
  for (auto& region : data.final_demand) {
    for (auto& household : region) {
      for (double& value : household) value *= 1e6;
    }
  }
  data.factor_payments(kCapital, kCap, kForeign) += 1e-3;  // relative 1.7e-11: fine
  CHECK(ComputeAccounts(data).failures.empty());
  CHECK(ComputeAccounts(data, 1e-12).failures.size() == 2);

  // A sector that exists nowhere: both sides zero, not a failure.
  Benchmark empty_sector = testing::MakeTwoByTwo();
  empty_sector.sectors.push_back("NONE");
  Benchmark resized = empty_sector;
  resized.ResizeTables();
  for (std::size_t f = 0; f < 2; ++f) {
    for (std::size_t i = 0; i < 2; ++i) {
      for (std::size_t r = 0; r < 2; ++r) {
        resized.factor_payments(f, i, r) = empty_sector.factor_payments(f, i, r);
      }
    }
  }
  for (std::size_t i = 0; i < 2; ++i) {
    for (std::size_t r = 0; r < 2; ++r) {
      for (std::size_t s = 0; s < 2; ++s) resized.trade(i, r, s) = empty_sector.trade(i, r, s);
    }
  }
  for (std::size_t r = 0; r < 2; ++r) {
    for (std::size_t i = 0; i < 2; ++i) {
      resized.final_demand[r][0][i] = empty_sector.final_demand[r][0][i];
    }
  }
  const Accounts accounts = ComputeAccounts(resized);
  CHECK(accounts.failures.empty());
  CHECK(accounts.largest_relative_gap < 1e-14);
}

TEST_CASE("failures are sorted largest first", "[accounts]") {
  Benchmark data = testing::MakeTwoByTwo();
  data.factor_payments(kLabour, kLab, kHome) += 1.0;     // 1/81
  data.factor_payments(kCapital, kCap, kForeign) += 8.0;  // 8/88
  const Accounts accounts = ComputeAccounts(data);
  REQUIRE(accounts.failures.size() == 3);
  CHECK(accounts.failures[0].account == "zero profit FOREIGN/CAP");
  CHECK(accounts.failures[1].account == "world deficits");  // 9 / 400
  CHECK(accounts.failures[1].relative == Approx(9.0 / 400.0));
  CHECK(accounts.failures[2].account == "zero profit HOME/LAB");
  CHECK(accounts.failures[0].relative >= accounts.failures[1].relative);
  CHECK(accounts.failures[1].relative >= accounts.failures[2].relative);
}

}  // namespace ohlin
