// Writing a benchmark in the FORMATS.md layout (writer.h). The YAML is written as plain text:
// the layout is fixed and small, and plain text gives full control over number formatting: 17
// significant digits in the YAML, the shortest text that reads back as the same double in the
// CSV tables (fmt's default), so that reading it back gives the same doubles.

#include "calibration/writer.h"

#include <fmt/format.h>

#include <cctype>
#include <cstddef>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace ohlin {
namespace {

std::string FormatNumber(double value) { return fmt::format("{}", value); }

// A name as a YAML scalar: plain when it is unambiguous, double-quoted otherwise (free text,
// and words that YAML 1.1 readers would turn into booleans or null, such as NO for Norway).
std::string YamlScalar(const std::string& text) {
  static const char* const kReserved[] = {"true", "false", "yes", "no", "on",
                                          "off",  "null",  "y",   "n",  "~"};
  bool plain =
      !text.empty() && (std::isalpha(static_cast<unsigned char>(text[0])) != 0 || text[0] == '_');
  for (char c : text) {
    const bool safe =
        std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '-' || c == '.';
    plain = plain && safe;
  }
  std::string lower;
  for (char c : text) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const char* reserved : kReserved) plain = plain && lower != reserved;
  if (plain) return text;
  std::string quoted = "\"";
  for (char c : text) {
    switch (c) {
      case '"':
        quoted += "\\\"";
        break;
      case '\\':
        quoted += "\\\\";
        break;
      case '\n':
        quoted += "\\n";
        break;
      case '\t':
        quoted += "\\t";
        break;
      case '\r':
        quoted += "\\r";
        break;
      default:
        quoted += c;
    }
  }
  return quoted + "\"";
}

// Free text (name, units, source) is always quoted: it may hold ':' or '#'.
std::string YamlText(const std::string& text) {
  const std::string scalar = YamlScalar(text);
  return scalar.front() == '"' ? scalar : "\"" + scalar + "\"";
}

std::string CsvField(const std::string& text) {
  if (text.find_first_of(",\"\n\r") == std::string::npos && !text.empty() && text.front() != ' ' &&
      text.back() != ' ') {
    return text;
  }
  std::string quoted = "\"";
  for (char c : text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

// Writes `text` to `path`, throwing on any I/O failure.
void WriteFile(const std::filesystem::path& path, const std::string& text) {
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  if (!file) throw std::runtime_error("cannot open '" + path.string() + "' for writing");
  file << text;
  file.close();
  if (!file) throw std::runtime_error("cannot write '" + path.string() + "'");
}

// One CSV table: a header, then one line per nonzero entry. Built in a fmt buffer: GTAP-size
// tables have millions of rows.
class CsvTable {
 public:
  explicit CsvTable(const std::vector<std::string>& columns) {
    for (std::size_t k = 0; k < columns.size(); ++k) {
      fmt::format_to(std::back_inserter(text_), "{}{}", k ? "," : "", columns[k]);
    }
    text_.push_back('\n');
  }
  // Adds a row unless the value is zero (missing rows mean zero).
  void Add(const std::vector<const std::string*>& keys, double value) {
    if (value == 0.0) return;
    for (const std::string* key : keys) {
      fmt::format_to(std::back_inserter(text_), "{},", CsvField(*key));
    }
    AddValue(value);
  }
  // The same with keys already quoted by CsvField and followed by their commas ("a,b," "c,").
  void AddQuoted(const std::string& keys, const std::string& last_key, double value) {
    if (value == 0.0) return;
    text_.append(keys.data(), keys.data() + keys.size());
    text_.append(last_key.data(), last_key.data() + last_key.size());
    AddValue(value);
  }
  // The shortest text that reads back as the same double (fmt's default for doubles).
  void AddValue(double value) { fmt::format_to(std::back_inserter(text_), "{}\n", value); }
  std::string str() const { return fmt::to_string(text_); }

 private:
  fmt::memory_buffer text_;
};

bool AnyNonzero(const Tensor3& table) {
  for (double value : table.data()) {
    if (value != 0.0) return true;
  }
  return false;
}

// A (i, r, s) flow table keyed exporter,importer,sector.
std::string FlowTable(const Benchmark& data, const Tensor3& table, const char* value_column) {
  CsvTable csv({"exporter", "importer", "sector", value_column});
  std::vector<std::string> regions, sectors;  // quoted once: GTAP-size tables have 10^6 rows
  for (const std::string& name : data.regions) regions.push_back(CsvField(name) + ",");
  for (const std::string& name : data.sectors) sectors.push_back(CsvField(name) + ",");
  for (std::size_t r = 0; r < data.num_regions(); ++r) {
    for (std::size_t s = 0; s < data.num_regions(); ++s) {
      const std::string pair = regions[r] + regions[s];
      for (std::size_t i = 0; i < data.num_sectors(); ++i) {
        csv.AddQuoted(pair, sectors[i], table(i, r, s));
      }
    }
  }
  return csv.str();
}

// `{default: x, SECTOR: y}` with the most common value as the default (the first one to reach
// the top count, so the output is deterministic) and the other sectors as overrides.
std::string ElasticityMap(const std::vector<std::string>& sectors,
                          const std::vector<double>& values, double fallback) {
  double most_common = fallback;
  int top_count = 0;
  for (double candidate : values) {
    int count = 0;
    for (double value : values) count += value == candidate ? 1 : 0;
    if (count > top_count) {
      top_count = count;
      most_common = candidate;
    }
  }
  std::string text = "{default: " + FormatNumber(most_common);
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (values[i] != most_common) {
      text += ", " + YamlScalar(sectors[i]) + ": " + FormatNumber(values[i]);
    }
  }
  return text + "}";
}

std::string NameList(const std::vector<std::string>& names) {
  std::string text = "[";
  for (std::size_t k = 0; k < names.size(); ++k) text += (k ? ", " : "") + YamlScalar(names[k]);
  return text + "]";
}

// The loader's default is one household "all" per region, population 1, owning everything.
bool HasDefaultHouseholds(const Benchmark& data) {
  for (const std::vector<Household>& households : data.households) {
    if (households.size() != 1) return false;
    const Household& household = households[0];
    if (household.name != "all" || household.population != 1.0 ||
        household.consumption_elasticity.has_value()) {
      return false;
    }
    for (double share : household.owns) {
      if (share != 1.0) return false;
    }
  }
  return true;
}

std::string HouseholdsSection(const Benchmark& data) {
  std::string text = "households:\n";
  for (std::size_t r = 0; r < data.num_regions(); ++r) {
    text += "  " + YamlScalar(data.regions[r]) + ":\n";
    for (const Household& household : data.households[r]) {
      text += "    - {name: " + YamlScalar(household.name) +
              ", population: " + FormatNumber(household.population) + ", owns: {";
      for (std::size_t f = 0; f < data.num_factors(); ++f) {
        text += (f ? ", " : "") + YamlScalar(data.factors[f].name) + ": " +
                FormatNumber(household.owns[f]);
      }
      text += "}";
      if (household.consumption_elasticity) {
        text += ", consumption_elasticity: " + FormatNumber(*household.consumption_elasticity);
      }
      text += "}\n";
    }
  }
  return text;
}

}  // namespace

std::string WriteBenchmark(const Benchmark& data, const std::string& dir,
                           const std::string& yaml_name) {
  namespace fs = std::filesystem;
  std::error_code error;
  fs::create_directories(dir, error);
  if (error) throw std::runtime_error("cannot create folder '" + dir + "': " + error.message());
  const fs::path folder(dir);

  std::ostringstream yaml;
  yaml << "ohlin: 1\n"
       << "name: " << YamlText(data.name) << '\n'
       << "units: " << YamlText(data.units) << '\n'
       << "year: " << data.year << '\n'
       << "source: " << YamlText(data.source) << '\n'
       << "regions: " << NameList(data.regions) << '\n'
       << "sectors: " << NameList(data.sectors) << '\n'
       << "factors:\n";
  for (const Factor& factor : data.factors) {
    yaml << "  - {name: " << YamlScalar(factor.name)
         << ", mobility: " << FactorMobilityToString(factor.mobility);
    if (factor.supply_elasticity != 0.0) {
      yaml << ", supply_elasticity: " << fmt::format("{}", factor.supply_elasticity);
    }
    yaml << "}\n";
  }
  if (!HasDefaultHouseholds(data)) yaml << HouseholdsSection(data);
  const Elasticities& elasticities = data.elasticities;
  yaml << "elasticities:\n"
       << "  armington: " << ElasticityMap(data.sectors, elasticities.armington, 5.0) << '\n'
       << "  value_added: " << ElasticityMap(data.sectors, elasticities.value_added, 1.0) << '\n'
       << "  top: " << ElasticityMap(data.sectors, elasticities.top, 0.0) << '\n'
       << "  consumption: " << FormatNumber(elasticities.consumption) << '\n';

  // Each table goes to its own CSV file; the optional rate tables only when they hold a rate.
  const auto write_table = [&](const char* key, const std::string& csv_text) {
    const std::string file_name = std::string(key) + ".csv";
    WriteFile(folder / file_name, csv_text);
    yaml << key << ": {csv: " << file_name << "}\n";
  };

  CsvTable factor_payments({"region", "sector", "factor", "value"});
  for (std::size_t r = 0; r < data.num_regions(); ++r) {
    for (std::size_t i = 0; i < data.num_sectors(); ++i) {
      for (std::size_t f = 0; f < data.num_factors(); ++f) {
        factor_payments.Add({&data.regions[r], &data.sectors[i], &data.factors[f].name},
                            data.factor_payments(f, i, r));
      }
    }
  }
  write_table("factor_payments", factor_payments.str());

  CsvTable intermediates({"region", "input", "sector", "value"});
  for (std::size_t r = 0; r < data.num_regions(); ++r) {
    for (std::size_t j = 0; j < data.num_sectors(); ++j) {
      for (std::size_t i = 0; i < data.num_sectors(); ++i) {
        intermediates.Add({&data.regions[r], &data.sectors[j], &data.sectors[i]},
                          data.intermediates(j, i, r));
      }
    }
  }
  write_table("intermediates", intermediates.str());

  write_table("trade", FlowTable(data, data.trade, "value"));
  if (AnyNonzero(data.tariffs)) write_table("tariffs", FlowTable(data, data.tariffs, "rate"));
  if (AnyNonzero(data.ntb)) write_table("ntb", FlowTable(data, data.ntb, "rate"));
  if (AnyNonzero(data.export_taxes)) {
    write_table("export_taxes", FlowTable(data, data.export_taxes, "rate"));
  }

  // Household rows only when a region has several households: with one, region rows say it all.
  bool by_household = false;
  for (const auto& households : data.households) {
    by_household = by_household || households.size() > 1;
  }
  CsvTable final_demand(by_household
                            ? std::vector<std::string>{"region", "household", "sector", "value"}
                            : std::vector<std::string>{"region", "sector", "value"});
  for (std::size_t r = 0; r < data.num_regions(); ++r) {
    for (std::size_t h = 0; h < data.final_demand[r].size(); ++h) {
      for (std::size_t i = 0; i < data.num_sectors(); ++i) {
        const double value = data.final_demand[r][h][i];
        if (by_household) {
          final_demand.Add({&data.regions[r], &data.households[r][h].name, &data.sectors[i]},
                           value);
        } else {
          final_demand.Add({&data.regions[r], &data.sectors[i]}, value);
        }
      }
    }
  }
  write_table("final_demand", final_demand.str());

  const fs::path yaml_path = folder / yaml_name;
  WriteFile(yaml_path, yaml.str());
  return yaml_path.string();
}

}  // namespace ohlin
