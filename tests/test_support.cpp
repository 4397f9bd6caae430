#include "tests/test_support.h"

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <sys/wait.h>

#include <unistd.h>

#include <catch2/catch.hpp>

#include "calibration/errors.h"
#include "model/equilibrium.h"

namespace ohlin::testing {

int RunOhlin(const std::string& arguments, const std::filesystem::path& dir) {
  const std::string command = "cd '" + dir.string() + "' && '" + OHLIN_BINARY + "' " +
                              arguments + " >> cli.log 2>&1";
  const int status = std::system(command.c_str());
  REQUIRE(status != -1);
  REQUIRE(WIFEXITED(status));
  return WEXITSTATUS(status);
}

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void WriteText(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

std::string MakeTempDir(const std::string& tag) {
  static std::atomic<int> counter{0};
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() /
      ("ohlin-test-" + tag + "-" + std::to_string(getpid()) + "-" + std::to_string(counter++));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir.string();
}

Benchmark MakeTwoByTwo(double armington) {
  Benchmark b;
  b.name = "two by two";
  b.units = "units";
  b.source = "hand-made test world";
  b.regions = {"HOME", "FOREIGN"};
  b.sectors = {"LAB", "CAP"};
  b.factors = {{"labour", FactorMobility::kMobile}, {"capital", FactorMobility::kMobile}};
  b.ResizeTables();
  for (double& e : b.elasticities.armington) e = armington;
  enum { kLabSector = 0, kCapSector = 1, kLabour = 0, kCapital = 1, kHome = 0, kForeign = 1 };
  // Value added (no intermediates): HOME is capital abundant (K/L = 110/90).
  b.factor_payments(kLabour, kLabSector, kHome) = 60;
  b.factor_payments(kCapital, kLabSector, kHome) = 20;
  b.factor_payments(kLabour, kCapSector, kHome) = 30;
  b.factor_payments(kCapital, kCapSector, kHome) = 90;
  b.factor_payments(kLabour, kLabSector, kForeign) = 90;
  b.factor_payments(kCapital, kLabSector, kForeign) = 30;
  b.factor_payments(kLabour, kCapSector, kForeign) = 20;
  b.factor_payments(kCapital, kCapSector, kForeign) = 60;
  // Shipments: HOME exports the capital-intensive good, imports the labour-intensive one.
  b.trade(kLabSector, kHome, kHome) = 60;
  b.trade(kLabSector, kHome, kForeign) = 20;
  b.trade(kLabSector, kForeign, kForeign) = 80;
  b.trade(kLabSector, kForeign, kHome) = 40;
  b.trade(kCapSector, kHome, kHome) = 80;
  b.trade(kCapSector, kHome, kForeign) = 40;
  b.trade(kCapSector, kForeign, kForeign) = 60;
  b.trade(kCapSector, kForeign, kHome) = 20;
  for (int r = 0; r < 2; ++r) {
    b.final_demand[r][0][kLabSector] = 100;
    b.final_demand[r][0][kCapSector] = 100;
  }
  return b;
}

std::string ErrorOf(const std::function<void()>& action) {
  try {
    action();
  } catch (const InputError& error) {
    return error.what();
  }
  FAIL("expected an InputError");
  return "";
}

void CheckJacobianAgainstFiniteDifferences(const Model& model, const Policy& policy,
                                           const State& x) {
  const EquilibriumSystem system(model, policy);
  const int n = model.num_variables();
  std::vector<double> residuals(n), jacobian(static_cast<std::size_t>(system.num_nonzeros()));
  REQUIRE(system.Evaluate(x.data(), residuals.data(), jacobian.data()));
  std::vector<double> dense(static_cast<std::size_t>(n) * n, 0.0);
  for (int row = 0; row < n; ++row) {
    for (int k = system.row_start()[row]; k < system.row_start()[row + 1]; ++k) {
      dense[static_cast<std::size_t>(row) * n + system.columns()[k]] = jacobian[k];
    }
  }
  const double step = 1e-6;
  std::vector<double> plus(n), minus(n);
  for (int col = 0; col < n; ++col) {
    State forward = x, backward = x;
    forward[col] += step;
    backward[col] -= step;
    REQUIRE(system.Evaluate(forward.data(), plus.data(), nullptr));
    REQUIRE(system.Evaluate(backward.data(), minus.data(), nullptr));
    for (int row = 0; row < n; ++row) {
      INFO(model.EquationName(row) << " by " << model.VariableName(col));
      CHECK(dense[static_cast<std::size_t>(row) * n + col] ==
            Approx((plus[row] - minus[row]) / (2 * step)).margin(1e-7).epsilon(1e-6));
    }
  }
}

}  // namespace ohlin::testing
