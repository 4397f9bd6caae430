// Result tables as a HAR file: see har_results.h.
#include "results/har_results.h"

#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace ohlin {
namespace {

constexpr std::size_t kLabelLength = 12;

// Labels of at most 12 characters, unique: a cut label that repeats one before it gets a number.
std::vector<std::string> Labels(const std::vector<std::string>& names) {
  std::vector<std::string> labels;
  std::set<std::string> seen;
  for (std::size_t k = 0; k < names.size(); ++k) {
    std::string label = names[k].substr(0, kLabelLength);
    if (seen.count(label) != 0) {
      const std::string suffix = std::to_string(k + 1);
      label = names[k].substr(0, kLabelLength - suffix.size()) + suffix;
    }
    seen.insert(label);
    labels.push_back(label);
  }
  return labels;
}

double Percent(double hat, bool defined) { return defined ? 100.0 * (hat - 1.0) : 0.0; }

}  // namespace

std::vector<har::HeaderArray> ResultHarArrays(const ResultContext& context) {
  if (context.data == nullptr || context.scenario == nullptr || context.outcome == nullptr ||
      context.summary == nullptr) {
    throw std::invalid_argument("ResultHarArrays: missing data, scenario, outcome or summary");
  }
  const Benchmark& data = *context.data;
  const Outcome& outcome = *context.outcome;
  const std::size_t num_r = data.num_regions(), num_i = data.num_sectors();
  const std::size_t num_f = data.num_factors();
  std::vector<std::string> factor_names;
  for (const Factor& factor : data.factors) factor_names.push_back(factor.name);
  const har::Set reg{"REG", Labels(data.regions)};
  const har::Set comm{"COMM", Labels(data.sectors)};
  const har::Set endw{"ENDW", Labels(factor_names)};

  std::vector<har::HeaderArray> arrays;
  arrays.push_back(har::MakeStrings(
      "DESC", "ohlin solve: what was solved",
      {"scenario: " + context.scenario->name, "data: " + context.scenario->data_path,
       std::string("status: ") + (context.summary->IsConverged() ? "converged" : "failed"),
       "numeraire: " + outcome.numeraire}));

  std::vector<double> ev(num_r, 0.0), ev_pct(num_r, 0.0);
  for (std::size_t r = 0; r < num_r && r < outcome.regions.size(); ++r) {
    ev[r] = outcome.regions[r].ev;
    ev_pct[r] = outcome.regions[r].ev_pct;
  }
  arrays.push_back(har::MakeReal("EV", "equivalent variation by region", "EV", {reg}, ev));
  arrays.push_back(
      har::MakeReal("EVP", "EV, % of benchmark spending", "EV_pct", {reg}, ev_pct));

  std::vector<double> pf(num_f * num_r, 0.0), rpf(num_f * num_r, 0.0);
  for (const FactorOutcome& factor : outcome.factors) {
    const std::size_t k = static_cast<std::size_t>(factor.region) * num_f +
                          static_cast<std::size_t>(factor.factor);
    pf[k] = Percent(factor.price_hat, true);
    rpf[k] = Percent(factor.real_price_hat, true);
  }
  arrays.push_back(har::MakeReal("PF", "factor price, % change", "price_pct", {endw, reg}, pf));
  arrays.push_back(har::MakeReal("RPF", "real factor price (CPI deflated), % change",
                                 "real_pct", {endw, reg}, rpf));

  std::vector<double> ps(num_i * num_r, 0.0), qo(ps), qxs(ps), qim(ps);
  for (const SectorOutcome& sector : outcome.sectors) {
    const std::size_t k = static_cast<std::size_t>(sector.region) * num_i +
                          static_cast<std::size_t>(sector.sector);
    ps[k] = Percent(sector.price_hat, sector.has_output);
    qo[k] = Percent(sector.output_hat, sector.has_output);
    qxs[k] = Percent(sector.exports_hat, sector.has_exports);
    qim[k] = Percent(sector.imports_hat, sector.has_imports);
  }
  arrays.push_back(har::MakeReal("PS", "producer price, % change", "price_pct", {comm, reg}, ps));
  arrays.push_back(har::MakeReal("QO", "output, % change", "output_pct", {comm, reg}, qo));
  arrays.push_back(
      har::MakeReal("QXS", "exports at producer prices, % change", "exports_pct", {comm, reg},
                    qxs));
  arrays.push_back(
      har::MakeReal("QIM", "imports at purchaser prices, % change", "imports_pct", {comm, reg},
                    qim));

  std::vector<double> base(num_i * num_r * num_r, 0.0), fresh(base), pct(base);
  for (const FlowOutcome& flow : outcome.flows) {
    // Column-major over (COMM, exporter REG, importer REG): the sector runs fastest.
    const std::size_t k = (static_cast<std::size_t>(flow.importer) * num_r +
                           static_cast<std::size_t>(flow.exporter)) * num_i +
                          static_cast<std::size_t>(flow.sector);
    base[k] = flow.value_base;
    fresh[k] = flow.value_new;
    pct[k] = flow.value_base != 0.0 ? 100.0 * (flow.value_new / flow.value_base - 1.0) : 0.0;
  }
  arrays.push_back(har::MakeReal("VXB", "shipments at producer prices, benchmark", "value_base",
                                 {comm, reg, reg}, base));
  arrays.push_back(har::MakeReal("VXN", "shipments at producer prices, counterfactual",
                                 "value_new", {comm, reg, reg}, fresh));
  arrays.push_back(
      har::MakeReal("VXP", "shipments, % change", "pct", {comm, reg, reg}, pct));

  // The EV decomposition (decomposition.csv), component by region, when it was computed.
  if (!outcome.decomposition.empty()) {
    std::vector<std::string> components;
    for (const DecompositionRow& row : outcome.decomposition) {
      if (row.region != outcome.decomposition.front().region) break;
      components.push_back(row.component);
    }
    const har::Set comp{"EVCOMP", Labels(components)};
    std::vector<double> value(components.size() * num_r, 0.0);
    for (std::size_t k = 0; k < outcome.decomposition.size(); ++k) {
      const DecompositionRow& row = outcome.decomposition[k];
      // Column-major over (EVCOMP, REG): the component runs fastest.
      value[static_cast<std::size_t>(row.region) * components.size() + k % components.size()] =
          row.value;
    }
    arrays.push_back(har::MakeReal("EVDC", "EV decomposition (benchmark currency)", "EV_decomp",
                                   {comp, reg}, value));
  }
  return arrays;
}

void WriteResultsHar(const std::string& path, const ResultContext& context) {
  WriteFileAtomically(path, har::SerializeHar(ResultHarArrays(context)));
}

}  // namespace ohlin
