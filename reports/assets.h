// The report's embedded assets (generated at build time by reports/embed_assets.cmake):
// "VegaJs" (Debian's libjs-vega modules with a small loader; BSD-3-Clause, UW Interactive Data
// Lab), "ReportJs" (assets/report.js) and "ReportCss" (assets/report.css).
#pragma once

#include <string>
#include <string_view>

namespace ohlin::reports {

// The bytes of the named asset; empty for an unknown name.
std::string_view Asset(const std::string& name);

}  // namespace ohlin::reports
