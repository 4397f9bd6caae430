// The `game:` section of a scenario file (FORMATS.md "Games"). Errors name file, line, key.
#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <optional>

#include "calibration/yaml_util.h"
#include "games/game.h"

namespace ohlin::games {

const char* InstrumentKindToString(InstrumentKind kind) {
  switch (kind) {
    case InstrumentKind::kDiscriminatory: return "discriminatory";
    case InstrumentKind::kMfn: return "mfn";
    case InstrumentKind::kUniform: return "uniform";
  }
  return "discriminatory";
}

const char* ConceptToString(Concept concept_kind) {
  switch (concept_kind) {
    case Concept::kBestResponse: return "best_response";
    case Concept::kNash: return "nash";
    case Concept::kCooperative: return "cooperative";
  }
  return "best_response";
}

namespace {

using input::JoinNames;
using input::YamlDocument;

const std::vector<std::string> kGameKeys = {"concept", "threat_point", "talks", "players",
                                            "tolerance", "max_rounds", "algorithm", "updates"};
const std::vector<std::string> kPlayerKeys = {"region", "instruments", "partners", "group",
                                              "sectors", "bounds", "objective", "weights",
                                              "epsilon", "export_taxes"};
const std::vector<std::string> kExportTaxKeys = {"instruments", "partners", "group", "sectors",
                                                 "bounds"};

class GameLoader {
 public:
  GameLoader(const std::string& path, const Benchmark& data)
      : document_(YamlDocument::Load(path, "scenario")), data_(data) {}
  GameSpec Load();

 private:
  template <typename Enum>
  Enum ReadChoice(const YAML::Node& map, const std::string& key, const std::string& context,
                  const std::vector<std::pair<std::string, Enum>>& choices, Enum fallback) const;
  std::vector<int> ReadNames(const YAML::Node& node, const std::vector<std::string>& names,
                             const std::string& singular, const std::string& context) const;
  void ReadPlayers(const YAML::Node& node);
  PlayerSpec ReadPlayer(const YAML::Node& node, int region, const std::string& context) const;
  // The instrument keys (instruments, partners, group, sectors, bounds) of a player's map
  // (import tariffs) or of its `export_taxes` map, with their checks.
  ExportTaxSpec ReadInstrumentSet(const YAML::Node& node, int region, bool exports,
                                  const std::string& context) const;
  void ReadObjective(const YAML::Node& node, const std::string& context, PlayerSpec* p) const;

  YamlDocument document_;
  const Benchmark& data_;
  GameSpec game_;
};

template <typename Enum>
Enum GameLoader::ReadChoice(const YAML::Node& map, const std::string& key,
                            const std::string& context,
                            const std::vector<std::pair<std::string, Enum>>& choices,
                            Enum fallback) const {
  const std::optional<YAML::Node> node = document_.Find(map, key);
  if (!node) return fallback;
  const std::string name = document_.ReadString(*node, context + "." + key);
  std::vector<std::string> names;
  for (const auto& [choice, value] : choices) {
    if (choice == name) return value;
    names.push_back(choice);
  }
  document_.Fail(*node, fmt::format("{}.{}: unknown value '{}' ({})", context, key, name,
                                    JoinNames(names)));
}

// A name, a list of names, or "*" (all).
std::vector<int> GameLoader::ReadNames(const YAML::Node& node,
                                       const std::vector<std::string>& names,
                                       const std::string& singular,
                                       const std::string& context) const {
  std::vector<int> out;
  if (node.IsScalar() && node.Scalar() == "*") {
    for (std::size_t k = 0; k < names.size(); ++k) out.push_back(static_cast<int>(k));
    return out;
  }
  auto resolve = [&](const YAML::Node& item) {
    const std::string name = document_.ReadString(item, context);
    for (std::size_t k = 0; k < names.size(); ++k) {
      if (names[k] == name) return static_cast<int>(k);
    }
    document_.Fail(item, fmt::format("{}: unknown {} '{}' (known: {})", context, singular, name,
                                     JoinNames(names)));
  };
  if (node.IsSequence()) {
    for (const YAML::Node& item : node) out.push_back(resolve(item));
  } else {
    out.push_back(resolve(node));
  }
  if (out.empty()) document_.Fail(node, fmt::format("{}: the list is empty", context));
  return out;
}

GameSpec GameLoader::Load() {
  const std::optional<YAML::Node> section = document_.Find(document_.root(), "game");
  if (!section) {
    throw InputError(fmt::format("{}: no 'game:' section (FORMATS.md \"Games\")", document_.path()));
  }
  const YAML::Node& game = *section;
  document_.CheckMap(game, kGameKeys, "game");
  game_.where = document_.Where(game);
  game_.concept_kind = ReadChoice<Concept>(
      game, "concept", "game",
      {{"best_response", Concept::kBestResponse}, {"nash", Concept::kNash},
       {"cooperative", Concept::kCooperative}},
      Concept::kBestResponse);
  game_.talks = ReadChoice<Talks>(
      game, "talks", "game",
      {{"equal_gains", Talks::kEqualGains}, {"world_welfare", Talks::kWorldWelfare}},
      Talks::kEqualGains);
  const std::optional<YAML::Node> threat = document_.Find(game, "threat_point");
  if (game_.concept_kind == Concept::kCooperative && !threat) {
    document_.Fail(game, "game: a cooperative game needs a threat point (threat_point: factual "
                         "or nash)");
  }
  if (threat && game_.concept_kind != Concept::kCooperative) {
    document_.Fail(*threat, "game.threat_point: only a cooperative game has a threat point");
  }
  game_.threat_point = ReadChoice<ThreatPoint>(
      game, "threat_point", "game",
      {{"factual", ThreatPoint::kFactual}, {"nash", ThreatPoint::kNash}}, ThreatPoint::kFactual);
  if (auto node = document_.Find(game, "tolerance")) {
    game_.tolerance = document_.ReadNumber(*node, "game.tolerance");
    if (!(game_.tolerance > 0.0)) document_.Fail(*node, "game.tolerance: must be > 0");
  }
  if (auto node = document_.Find(game, "max_rounds")) {
    const long long rounds = document_.ReadInteger(*node, "game.max_rounds");
    if (rounds < 1 || rounds > 100000) {
      document_.Fail(*node, "game.max_rounds: must be between 1 and 100000");
    }
    game_.max_rounds = static_cast<int>(rounds);
  }
  if (auto node = document_.Find(game, "updates")) {
    const std::string updates = document_.ReadString(*node, "game.updates");
    if (updates == "jacobi") {
      game_.updates = Updates::kJacobi;
    } else if (updates == "gauss_seidel") {
      game_.updates = Updates::kGaussSeidel;
    } else {
      document_.Fail(*node, fmt::format("game.updates: unknown value '{}' (jacobi, gauss_seidel)",
                                        updates));
    }
  }
  if (auto node = document_.Find(game, "algorithm")) {
    game_.algorithm = document_.ReadString(*node, "game.algorithm");
    if (game_.algorithm != "slsqp" && game_.algorithm != "lbfgs" && game_.algorithm != "mma") {
      document_.Fail(*node, fmt::format("game.algorithm: unknown value '{}' (slsqp, lbfgs, mma)",
                                        game_.algorithm));
    }
  }
  ReadPlayers(document_.Require(game, "players", "game"));
  if (game_.concept_kind == Concept::kBestResponse && game_.players.size() != 1) {
    document_.Fail(game, fmt::format("game: a best response has exactly one player, got {}",
                                     game_.players.size()));
  }
  return game_;
}

void GameLoader::ReadPlayers(const YAML::Node& node) {
  if (!node.IsSequence() || node.size() == 0) {
    document_.Fail(node, "game.players: expected a non-empty list of players");
  }
  for (std::size_t k = 0; k < node.size(); ++k) {
    const YAML::Node& entry = node[k];
    const std::string context = fmt::format("game.players[{}]", k + 1);
    document_.CheckMap(entry, kPlayerKeys, context);
    const YAML::Node region = document_.Require(entry, "region", context);
    for (int r : ReadNames(region, data_.regions, "region", context + ".region")) {
      for (const PlayerSpec& other : game_.players) {
        if (other.region == r) {
          document_.Fail(region, fmt::format("{}.region: {} is a player twice", context,
                                             data_.regions[r]));
        }
      }
      game_.players.push_back(ReadPlayer(entry, r, context));
    }
  }
}

PlayerSpec GameLoader::ReadPlayer(const YAML::Node& node, int region,
                                  const std::string& context) const {
  PlayerSpec p;
  p.region = region;
  p.where = document_.Where(node);
  p.objective.region = region;
  const std::optional<YAML::Node> kind = document_.Find(node, "instruments");
  p.tariffs = !(kind && kind->IsScalar() && kind->Scalar() == "none");
  const std::optional<YAML::Node> exports = document_.Find(node, "export_taxes");
  if (p.tariffs) {
    const ExportTaxSpec set = ReadInstrumentSet(node, region, false, context);
    p.instruments = set.instruments;
    p.partners = set.partners;
    p.group = set.group;
    p.sectors = set.sectors;
    p.lower = set.lower;
    p.upper = set.upper;
  } else {
    for (const char* key : {"partners", "group", "sectors", "bounds"}) {
      if (auto extra = document_.Find(node, key)) {
        document_.Fail(*extra, fmt::format("{}.{}: the player has no import tariffs "
                                           "(instruments: none)", context, key));
      }
    }
    if (!exports) {
      document_.Fail(*kind, fmt::format("{}.instruments: none needs export_taxes (a player "
                                        "with no instruments)", context));
    }
  }
  if (exports) {
    const std::string sub = context + ".export_taxes";
    if (!exports->IsMap()) {
      document_.Fail(*exports, sub + ": expected a map (instruments, partners, group, sectors, "
                                     "bounds)");
    }
    document_.CheckMap(*exports, kExportTaxKeys, sub);
    p.export_taxes = ReadInstrumentSet(*exports, region, true, sub);
  }
  ReadObjective(node, context, &p);
  return p;
}

ExportTaxSpec GameLoader::ReadInstrumentSet(const YAML::Node& node, int region, bool exports,
                                            const std::string& context) const {
  ExportTaxSpec p;
  std::vector<std::pair<std::string, InstrumentKind>> kinds = {
      {"discriminatory", InstrumentKind::kDiscriminatory}, {"mfn", InstrumentKind::kMfn},
      {"uniform", InstrumentKind::kUniform}};
  if (!exports) kinds.emplace_back("none", InstrumentKind::kDiscriminatory);  // read before
  p.instruments = ReadChoice<InstrumentKind>(node, "instruments", context, kinds,
                                             InstrumentKind::kDiscriminatory);
  for (std::size_t r = 0; r < data_.num_regions(); ++r) {
    if (static_cast<int>(r) != region) p.partners.push_back(static_cast<int>(r));
  }
  if (auto partners = document_.Find(node, "partners")) {
    p.partners.clear();
    for (int r : ReadNames(*partners, data_.regions, "region", context + ".partners")) {
      if (r != region) p.partners.push_back(r);
    }
  }
  if (auto group = document_.Find(node, "group")) {
    if (p.instruments != InstrumentKind::kMfn) {
      document_.Fail(*group, context + ".group: only MFN instruments have a group");
    }
    p.group = ReadNames(*group, data_.regions, "region", context + ".group");
  }
  for (std::size_t i = 0; i < data_.num_sectors(); ++i) p.sectors.push_back(static_cast<int>(i));
  if (auto sectors = document_.Find(node, "sectors")) {
    p.sectors = ReadNames(*sectors, data_.sectors, "sector", context + ".sectors");
  }
  if (auto bounds = document_.Find(node, "bounds")) {
    if (!bounds->IsSequence() || bounds->size() != 2) {
      document_.Fail(*bounds, context + ".bounds: expected [lower, upper]");
    }
    p.lower = document_.ReadNumber((*bounds)[0], context + ".bounds");
    p.upper = document_.ReadNumber((*bounds)[1], context + ".bounds");
    if (!(p.lower > -1.0)) {
      document_.Fail(*bounds, fmt::format("{}.bounds: lower bound {} must be above -1 ({} of "
                                          "-100%)", context, p.lower,
                                          exports ? "an export tax" : "a tariff"));
    }
    if (p.lower > p.upper) {
      document_.Fail(*bounds, fmt::format("{}.bounds: lower bound {} is above upper bound {}",
                                          context, p.lower, p.upper));
    }
  }
  // Every instrument must have at least one traded flow to act on.
  bool traded = false;
  for (int i : p.sectors) {
    for (int r : p.partners) {
      bool exempt = false;
      for (int g : p.group) exempt = exempt || g == r;
      const double flow = exports ? data_.trade(i, region, r) : data_.trade(i, r, region);
      if (!exempt && flow > 0.0) traded = true;
    }
  }
  if (!traded) {
    document_.Fail(node, fmt::format("{}: {} has no {} (no {} the partners and sectors selected)",
                                     context, data_.regions[region],
                                     exports ? "export-tax instruments" : "instruments",
                                     exports ? "exports to" : "imports from"));
  }
  return p;
}

void GameLoader::ReadObjective(const YAML::Node& node, const std::string& context,
                               PlayerSpec* p) const {
  Objective& objective = p->objective;
  objective.kind = ReadChoice<ObjectiveKind>(
      node, "objective", context,
      {{"real_income", ObjectiveKind::kRealIncome}, {"weighted", ObjectiveKind::kWeighted},
       {"inequality_averse", ObjectiveKind::kInequalityAverse}},
      ObjectiveKind::kRealIncome);
  const std::vector<Household>& households = data_.households[p->region];
  const std::optional<YAML::Node> weights = document_.Find(node, "weights");
  const std::optional<YAML::Node> epsilon = document_.Find(node, "epsilon");
  if (weights && objective.kind != ObjectiveKind::kWeighted) {
    document_.Fail(*weights, context + ".weights: only the objective 'weighted' has weights");
  }
  if (epsilon && objective.kind != ObjectiveKind::kInequalityAverse) {
    document_.Fail(*epsilon, context + ".epsilon: only the objective 'inequality_averse' has "
                                       "an aversion epsilon");
  }
  if (objective.kind == ObjectiveKind::kWeighted) {
    objective.weights.assign(households.size(), 1.0);
    if (!weights) document_.Fail(node, context + ": objective 'weighted' needs 'weights'");
    if (!weights->IsMap()) {
      document_.Fail(*weights, context + ".weights: expected a map {household: weight}");
    }
    for (const auto& item : *weights) {
      const std::string name = document_.ReadString(item.first, context + ".weights");
      std::size_t h = 0;
      while (h < households.size() && households[h].name != name) ++h;
      if (h == households.size()) {
        std::vector<std::string> names;
        for (const Household& household : households) names.push_back(household.name);
        document_.Fail(item.first, fmt::format("{}.weights: unknown household '{}' of {} "
                                               "(households: {})", context, name,
                                               data_.regions[p->region], JoinNames(names)));
      }
      const double w = document_.ReadNumber(item.second, context + ".weights." + name);
      if (!(w >= 0.0)) {
        document_.Fail(item.second, fmt::format("{}.weights.{}: a weight must be >= 0, got {}",
                                                context, name, w));
      }
      objective.weights[h] = w;
    }
  }
  if (objective.kind == ObjectiveKind::kInequalityAverse) {
    if (!epsilon) document_.Fail(node, context + ": objective 'inequality_averse' needs 'epsilon'");
    objective.epsilon = document_.ReadNumber(*epsilon, context + ".epsilon");
    if (!(objective.epsilon >= 0.0)) {
      document_.Fail(*epsilon, fmt::format("{}.epsilon: the aversion must be >= 0, got {}",
                                           context, objective.epsilon));
    }
  }
}

}  // namespace

GameSpec LoadGame(const std::string& path, const Benchmark& data) {
  return GameLoader(path, data).Load();
}

}  // namespace ohlin::games
