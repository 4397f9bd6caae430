// The report page: style, data, Vega and the page's script, all inline (no network at view time).
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <stdexcept>
#include <string>
#include <string_view>

#include "reports/assets.h"
#include "reports/report.h"

namespace ohlin::reports {
namespace {

std::string EscapeHtml(const std::string& text) {
  std::string escaped;
  for (const char c : text) {
    switch (c) {
      case '&': escaped += "&amp;"; break;
      case '<': escaped += "&lt;"; break;
      case '>': escaped += "&gt;"; break;
      case '"': escaped += "&quot;"; break;
      default: escaped.push_back(c);
    }
  }
  return escaped;
}

// An asset as the body of a <script> or <style>: it must not close the element early.
std::string_view InlineAsset(const std::string& name) {
  const std::string_view asset = Asset(name);
  if (asset.empty()) throw std::runtime_error("report asset " + name + " is missing from the build");
  std::string lower(asset.size(), ' ');
  std::transform(asset.begin(), asset.end(), lower.begin(),
                 [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); });
  if (lower.find("</script") != std::string::npos || lower.find("</style") != std::string::npos ||
      lower.find("<!--") != std::string::npos) {
    throw std::runtime_error("report asset " + name + " cannot be inlined: it closes its element");
  }
  return asset;
}

// JSON inside <script type="application/json">: every '<' as \u003c, so nothing in the data
// can end the element; invalid UTF-8 is replaced rather than refused.
std::string InlineJson(const nlohmann::json& data) {
  const std::string text = data.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::string escaped;
  escaped.reserve(text.size());
  for (const char c : text) {
    if (c == '<') {
      escaped += "\\u003c";
    } else {
      escaped.push_back(c);
    }
  }
  return escaped;
}

std::string PageTitle(const nlohmann::json& page) {
  const auto summary = page.value("summary", nlohmann::json::object());
  std::string name = summary.value("scenario", std::string());
  if (name.empty()) name = page.value("dir", std::string("results"));
  return "ohlin report: " + name;
}

}  // namespace

std::string RenderReportHtml(const nlohmann::json& page_data) {
  std::string html;
  html += "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  html += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  html += "<meta name=\"generator\" content=\"ohlin " OHLIN_VERSION "\">\n";
  html += fmt::format("<title>{}</title>\n<style>\n", EscapeHtml(PageTitle(page_data)));
  html += InlineAsset("ReportCss");
  html += "</style>\n";
  // The error hooks first, so that an error while loading Vega is recorded too; console errors
  // and warnings (Vega warns of e.g. a scale with no valid data) count as errors.
  html +=
      "<script>window.ohlinErrors = [];\n"
      "window.addEventListener('error', function (e) { window.ohlinErrors.push(String(e.message)); });\n"
      "['error', 'warn'].forEach(function (level) {\n"
      "  var original = console[level];\n"
      "  console[level] = function () {\n"
      "    window.ohlinErrors.push('console.' + level + ': ' + Array.prototype.join.call(arguments, ' '));\n"
      "    return original.apply(console, arguments);\n"
      "  };\n"
      "});\n"
      "window.addEventListener('unhandledrejection', function (e) { "
      "window.ohlinErrors.push('unhandled rejection: ' + String(e.reason)); });\n"
      "</script>\n</head>\n<body>\n";
  html += "<main id=\"report\"><noscript>This report draws its charts with JavaScript; every "
          "number is also in the result folder's CSV files.</noscript></main>\n";
  html += "<pre id=\"ohlin-probe\" hidden></pre>\n";
  nlohmann::json data = page_data;
  data["ohlin_version"] = OHLIN_VERSION;
  html += "<script type=\"application/json\" id=\"ohlin-data\">" + InlineJson(data) +
          "</script>\n";
  html += "<script>\n";
  html += InlineAsset("VegaJs");
  html += "</script>\n<script>\n";
  html += InlineAsset("ReportJs");
  html += "</script>\n</body>\n</html>\n";
  return html;
}

}  // namespace ohlin::reports
