// Tariff games (FORMATS.md "Games", MODEL.md section 12): the `game:` section of a scenario
// file, read and checked against the scenario's benchmark.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "calibration/benchmark.h"
#include "games/objective.h"

namespace ohlin::games {

// How a player's import tariffs are grouped into instruments.
enum class InstrumentKind {
  kDiscriminatory,  // one rate per partner and sector (the default)
  kMfn,             // one rate per sector for every partner outside `group`
  kUniform,         // one rate for every partner and sector
};
const char* InstrumentKindToString(InstrumentKind kind);

enum class Concept { kBestResponse, kNash, kCooperative };
const char* ConceptToString(Concept concept_kind);

// Cooperative games: from where, and to maximise what.
enum class ThreatPoint { kFactual, kNash };
enum class Talks {
  kEqualGains,    // maximise the smallest percentage gain over the threat point (Ossa 2014)
  kWorldWelfare,  // maximise the sum of the players' objectives (lump-sum transfers)
};

// Nash rounds: every player's best response to the others' rates at the start of the round
// (Jacobi: in parallel, one thread per player up to the solver's threads), or each player in
// turn to the others' latest rates (Gauss–Seidel: sequential).
enum class Updates { kJacobi, kGaussSeidel };

// A player's export taxes (MODEL.md section 12.5) on its own exports, grouped like its
// import tariffs: per destination and sector, per sector for every destination outside
// `group` (kMfn), or one rate for all.
struct ExportTaxSpec {
  InstrumentKind instruments = InstrumentKind::kDiscriminatory;
  std::vector<int> partners;  // destinations (default: every other region)
  std::vector<int> group;     // kMfn: destinations exempt (they keep their rates)
  std::vector<int> sectors;   // default: all
  double lower = 0.0, upper = 10.0;  // lower < 0 allows export subsidies, > -1
};

struct PlayerSpec {
  int region = 0;
  bool tariffs = true;        // false: `instruments: none`, export taxes only
  std::optional<ExportTaxSpec> export_taxes;  // none by default
  InstrumentKind instruments = InstrumentKind::kDiscriminatory;
  std::vector<int> partners;  // exporters whose goods it taxes (default: every other region)
  std::vector<int> group;     // kMfn: partners exempt from the MFN rate (they keep theirs)
  std::vector<int> sectors;   // default: all
  double lower = 0.0, upper = 10.0;
  Objective objective;
  std::string where;          // "file:line:column" of the player's entry
};

struct GameSpec {
  Concept concept_kind = Concept::kBestResponse;
  ThreatPoint threat_point = ThreatPoint::kFactual;
  Talks talks = Talks::kEqualGains;
  std::vector<PlayerSpec> players;
  double tolerance = 1e-7;  // KKT residual, relative to the player's income
  int max_rounds = 100;     // Nash: rounds of best responses
  Updates updates = Updates::kJacobi;
  // NLopt algorithm of the best responses and world-welfare talks: lbfgs | slsqp | mma
  // (equal-gains talks always use slsqp, which takes their constraints).
  std::string algorithm = "lbfgs";
  std::string where;        // "file:line:column" of the `game:` section
};

// Reads the `game:` section of scenario file `path` for benchmark `data`. Throws InputError
// naming file, line and key for bad input, and when the file has no `game:` section.
GameSpec LoadGame(const std::string& path, const Benchmark& data);

}  // namespace ohlin::games
