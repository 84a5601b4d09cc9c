// GET /static/<name>: files from static_dir, for a front end served by
// herald itself (and the SockJS client its iframe page loads). Small files
// read whole on the worker: this is for a page and its scripts, not a CDN.
#include <boost/beast/http.hpp>

#include <array>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "net/http_session.hpp"

namespace herald::net {

namespace http = boost::beast::http;

namespace {

constexpr std::uintmax_t max_static_bytes = 8 * 1024 * 1024;

// Plain relative names only: no "..", no hidden files, no odd bytes, so a
// request can never leave static_dir.
bool safe_name(std::string_view name) {
  if (name.empty() || name.size() > 255) return false;
  bool segment_start = true;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
              c == '_' || c == '/';
    if (!ok) return false;
    if (segment_start && (c == '.' || c == '/')) return false;
    segment_start = c == '/';
  }
  return !segment_start;
}

std::string content_type_of(std::string_view name) {
  constexpr std::array<std::pair<std::string_view, std::string_view>, 9> types{{
      {".html", "text/html; charset=UTF-8"},
      {".js", "application/javascript; charset=UTF-8"},
      {".css", "text/css; charset=UTF-8"},
      {".json", "application/json; charset=UTF-8"},
      {".map", "application/json; charset=UTF-8"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".ico", "image/x-icon"},
      {".txt", "text/plain; charset=UTF-8"},
  }};
  for (const auto& [ext, type] : types) {
    if (name.ends_with(ext)) return std::string(type);
  }
  return "application/octet-stream";
}

}  // namespace

void http_session::serve_static(const request& req, std::string_view name) {
  const bool keep_alive = req.keep_alive() && !w_.shutting_down;
  const bool head = req.method() == http::verb::head;
  auto text = [&](int status, std::string body) {
    respond(status, "text/plain; charset=UTF-8", std::move(body), {}, keep_alive, req.version(), head);
  };
  if (req.method() != http::verb::get && !head) return text(405, "Use GET\n");
  if (!safe_name(name)) return text(404, "Not found\n");
  std::filesystem::path file = std::filesystem::path(w_.shared.cfg.static_dir) / std::string(name);
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) return text(404, "Not found\n");
  if (std::filesystem::file_size(file, ec) > max_static_bytes) return text(404, "Not found (file too large)\n");
  std::ifstream in(file, std::ios::binary);
  std::ostringstream body;
  body << in.rdbuf();
  if (!in) return text(404, "Not found\n");
  respond(200, content_type_of(name), std::move(body).str(), {{"Cache-Control", "no-cache"}, {"X-Content-Type-Options", "nosniff"}}, keep_alive,
          req.version(), head);
}

}  // namespace herald::net
