// `ohlin report DIR [--out FILE.html] [--svg DIR]`: the result folder as one self-contained
// HTML page (reports/). Every file is read and checked before anything is written; with
// --svg, headless Chromium renders the page and each chart's SVG is written.
#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

#include "app/commands.h"
#include "calibration/errors.h"
#include "reports/report.h"
#include "results/results.h"

namespace ohlin::app {
namespace {

namespace fs = std::filesystem;

// Writes each chart of the page's probe as OUT/<chart id>.svg, and the probe without the SVGs
// as OUT/charts.json (each chart's id, title and the numbers it drew); returns how many.
int WriteChartSvgs(const std::string& chromium, const std::string& html_path,
                   const std::string& svg_dir) {
  nlohmann::json probe = reports::ReadPageProbe(chromium, html_path, "?svg");
  if (!probe.value("errors", nlohmann::json::array()).empty()) {
    throw std::runtime_error(fmt::format("{}: the page reported errors: {}", html_path,
                                         probe["errors"].dump()));
  }
  fs::create_directories(svg_dir);
  int written = 0;
  for (const auto& chart : probe.value("charts", nlohmann::json::array())) {
    if (!chart.contains("svg")) continue;
    const std::string path = (fs::path(svg_dir) / (chart["id"].get<std::string>() + ".svg")).string();
    WriteFileAtomically(path, chart["svg"].get<std::string>());
    ++written;
  }
  for (auto& chart : probe["charts"]) chart.erase("svg");
  WriteFileAtomically((fs::path(svg_dir) / "charts.json").string(), probe.dump(1) + "\n");
  return written;
}

// True when `path` is a page `ohlin report` wrote (its generator tag within the first bytes).
bool IsOhlinReport(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::string head(512, '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<std::size_t>(in.gcount()));
  return head.find("<meta name=\"generator\" content=\"ohlin ") != std::string::npos;
}

// --out may replace a report of an earlier run, never another file (an input, say).
void CheckReportPath(const std::string& out) {
  std::error_code error;
  if (!fs::exists(out, error)) return;
  if (!fs::is_regular_file(out, error) || !IsOhlinReport(out)) {
    throw InputError(fmt::format("--out {}: refusing to write over a file that is not a report "
                                 "ohlin wrote; name a new file",
                                 out));
  }
}

}  // namespace

int RunReport(const ReportArguments& arguments) {
  const std::string out = arguments.out_path.empty()
                              ? (fs::path(arguments.dir) / "report.html").string()
                              : arguments.out_path;
  CheckReportPath(out);
  nlohmann::json page;
  try {
    page = reports::ReadResultFolder(arguments.dir);
  } catch (const InputError&) {
    // A report of an earlier run left at OUT would look like the report of these results.
    std::error_code error;
    if (fs::is_regular_file(out, error) && fs::remove(out, error)) {
      std::cerr << "ohlin: removed " << out << ", the report of an earlier run\n";
    }
    throw;
  }
  std::string chromium;
  if (!arguments.svg_dir.empty()) {
    chromium = reports::FindChromium();
    if (chromium.empty()) {
      throw InputError("--svg needs Chromium to draw the charts (Debian package chromium, "
                       "installed by `make deps`; or set OHLIN_CHROMIUM to a Chrome binary)");
    }
  }
  const fs::path parent = fs::path(out).parent_path();
  if (!parent.empty()) fs::create_directories(parent);
  WriteFileAtomically(out, reports::RenderReportHtml(page));
  std::error_code error;
  const fs::path absolute = fs::absolute(out, error);
  std::cout << "Report written to " << out << " (open file://" << absolute.string()
            << " in a browser)\n";
  if (!arguments.svg_dir.empty()) {
    const int charts = WriteChartSvgs(chromium, out, arguments.svg_dir);
    std::cout << fmt::format("{} charts written to {} as SVG\n", charts, arguments.svg_dir);
  }
  return kSuccess;
}

}  // namespace ohlin::app
