// Headless Chromium for `ohlin report --svg` and the report's browser test: open the page, let
// its scripts run, read back what it wrote into <pre id="ohlin-probe">.
#include <fmt/format.h>
#include <sys/wait.h>

#include <array>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <system_error>

#include "reports/report.h"

namespace ohlin::reports {
namespace {

namespace fs = std::filesystem;

std::string ShellQuote(const std::string& text) {
  std::string quoted = "'";
  for (const char c : text) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

// The text between <pre id="ohlin-probe" ...> and </pre>, entities decoded (the page writes
// JSON with <, > and & escaped, so only &nbsp; and the like could appear).
std::string ProbeText(const std::string& dom) {
  const std::size_t id = dom.find("id=\"ohlin-probe\"");
  if (id == std::string::npos) return "";
  const std::size_t start = dom.find('>', id);
  const std::size_t end = dom.find("</pre>", start);
  if (start == std::string::npos || end == std::string::npos) return "";
  std::string text = dom.substr(start + 1, end - start - 1);
  for (const auto& [entity, character] :
       {std::pair<std::string, std::string>{"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""},
        {"&nbsp;", " "}, {"&amp;", "&"}}) {
    for (std::size_t at = text.find(entity); at != std::string::npos; at = text.find(entity, at)) {
      text.replace(at, entity.size(), character);
      at += character.size();
    }
  }
  return text;
}

// A file path as a URL path: every byte outside unreserved characters and '/' percent-encoded.
std::string UrlPath(const std::string& path) {
  std::string url;
  for (const char c : path) {
    const auto byte = static_cast<unsigned char>(c);
    if (std::isalnum(byte) || c == '/' || c == '.' || c == '_' || c == '-' || c == '~') {
      url.push_back(c);
    } else {
      url += fmt::format("%{:02X}", static_cast<unsigned>(byte));
    }
  }
  return url;
}

std::string RunAndCapture(const std::string& command) {
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) throw std::runtime_error("cannot run " + command);
  std::string output;
  std::array<char, 65536> buffer{};
  std::size_t read = 0;
  while ((read = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) output.append(buffer.data(), read);
  const int status = pclose(pipe);
  if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    throw std::runtime_error(fmt::format("headless Chromium failed (status {}): {}", status, command));
  }
  return output;
}

}  // namespace

std::string FindChromium() {
  if (const char* chosen = std::getenv("OHLIN_CHROMIUM"); chosen && *chosen) return chosen;
  const char* path = std::getenv("PATH");
  std::string folders = path ? path : "/usr/bin:/bin";
  std::error_code error;
  for (const char* name : {"chromium", "chromium-browser", "google-chrome"}) {
    std::size_t start = 0;
    while (start <= folders.size()) {
      std::size_t end = folders.find(':', start);
      if (end == std::string::npos) end = folders.size();
      const fs::path candidate = fs::path(folders.substr(start, end - start)) / name;
      if (fs::is_regular_file(candidate, error)) return candidate.string();
      start = end + 1;
    }
  }
  return "";
}

nlohmann::json ReadPageProbe(const std::string& chromium, const std::string& html_path,
                             const std::string& query) {
  std::string profile_template = (fs::temp_directory_path() / "ohlin-chromium-XXXXXX").string();
  if (!mkdtemp(profile_template.data())) throw std::runtime_error("cannot make a temporary folder");
  const std::string profile = profile_template;
  // Chromium as root needs --no-sandbox; the others keep it off the network (the page needs
  // none) and quiet. Virtual time lets the page's asynchronous rendering finish; `timeout`
  // stops a browser that hangs.
  const std::string url = "file://" + UrlPath(fs::absolute(html_path).string()) + query;
  const std::string command = fmt::format(
      "timeout 120 {} --headless --no-sandbox --disable-gpu --disable-quic --no-first-run "
      "--disable-background-networking --disable-component-update --disable-sync "
      "--disable-extensions --user-data-dir={} --virtual-time-budget=20000 --dump-dom {} "
      "2>/dev/null",
      ShellQuote(chromium), ShellQuote(profile), ShellQuote(url));
  std::string dom;
  try {
    dom = RunAndCapture(command);
  } catch (...) {
    std::error_code ignored;
    fs::remove_all(profile, ignored);
    throw;
  }
  std::error_code ignored;
  fs::remove_all(profile, ignored);
  const std::string text = ProbeText(dom);
  if (text.empty()) {
    throw std::runtime_error(fmt::format("{}: the page wrote nothing into its probe (its scripts "
                                         "did not finish in headless Chromium)",
                                         html_path));
  }
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& error) {
    throw std::runtime_error(fmt::format("{}: the page's probe is not JSON: {}", html_path, error.what()));
  }
}

}  // namespace ohlin::reports
