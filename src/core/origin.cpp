#include "core/origin.hpp"

#include <cctype>

namespace herald::core {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

bool matches(std::string_view origin, std::string_view pattern) {
  auto star = pattern.find("://*.");
  if (star == std::string_view::npos) return iequals(origin, pattern);
  auto scheme = pattern.substr(0, star + 3);            // "https://"
  auto suffix = pattern.substr(star + 4);               // ".example.com[:port]"
  if (origin.size() <= scheme.size() + suffix.size()) return false;
  if (!iequals(origin.substr(0, scheme.size()), scheme)) return false;
  if (!iequals(origin.substr(origin.size() - suffix.size()), suffix)) return false;
  // The part '*' stands for is one or more DNS labels: no port, no path.
  auto middle = origin.substr(scheme.size(), origin.size() - scheme.size() - suffix.size());
  for (char c : middle) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.')) return false;
  }
  return middle.front() != '.' && middle.back() != '.';
}

}  // namespace

bool origin_allowed(std::string_view origin, std::string_view host, const std::vector<std::string>& patterns) {
  if (origin.empty()) return true;
  if (patterns.empty()) {
    auto sep = origin.find("://");
    return sep != std::string_view::npos && !host.empty() && iequals(origin.substr(sep + 3), host);
  }
  for (const auto& p : patterns) {
    if (p == "*" || matches(origin, p)) return true;
  }
  return false;
}

}  // namespace herald::core
