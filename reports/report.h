// `ohlin report`: one self-contained HTML file of a result folder's charts and tables
// (FORMATS.md "Reports"). The folder is read and checked here (every CSV whole, its columns,
// its numbers, the regions agreeing between files) before anything is written; the page draws
// its charts with Vega, embedded in the file, so it opens offline in any browser.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace ohlin::reports {

// A CSV table as read: its columns and rows, each field a number, a string or null (empty).
// A column is numeric when every non-empty field of it is a number.
struct Table {
  std::string file;  // the path, for messages
  std::vector<std::string> columns;
  nlohmann::json rows = nlohmann::json::array();  // arrays of fields, one per row
};

// Reads a CSV file (RFC 4180 quoting) with a header row. Throws InputError naming the file
// and line for a row with the wrong number of fields, an unterminated quote, or a file that
// does not end with a line break (a truncated file); `required` columns must be present,
// `numeric` ones hold numbers (or nothing), and `text` ones are kept as text even where they
// look like numbers (names such as region "01").
Table ReadCsvTable(const std::string& path, const std::vector<std::string>& required = {},
                   const std::vector<std::string>& numeric = {},
                   const std::vector<std::string>& text = {});

// What a result folder holds, as the page's data: kind ("solve", also for `ohlin game`,
// "compare", "sweep" or "sensitivity"), summary.json, the scenario file's
// text and the data set's name, source, year and units where they can be found, and every
// table by file stem. Throws InputError for a folder without results, a failed solve, or any
// bad or truncated file, naming it.
nlohmann::json ReadResultFolder(const std::string& dir);

// The HTML page for ReadResultFolder's data: Vega, the page's script and style, and the data,
// all inline.
std::string RenderReportHtml(const nlohmann::json& page_data);

// Chromium (or Chrome) to run headless: $OHLIN_CHROMIUM, else the first of chromium,
// chromium-browser, google-chrome on PATH; empty when none is found.
std::string FindChromium();

// Opens `html_path` in headless Chromium with `query` appended to its URL, lets its scripts run
// (virtual time) and returns the JSON the page wrote into its <pre id="ohlin-probe"> element
// (FORMATS.md "Reports"). Throws std::runtime_error when Chromium fails or the page wrote none.
nlohmann::json ReadPageProbe(const std::string& chromium, const std::string& html_path,
                             const std::string& query = "");

}  // namespace ohlin::reports
