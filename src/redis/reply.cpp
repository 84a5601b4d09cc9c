#include "redis/reply.hpp"

namespace herald::redis {
namespace {

template <typename Range>
void append_all(std::string& out, const Range& args, std::size_t n) {
  out += '*';
  out += std::to_string(n);
  out += "\r\n";
  for (const auto& a : args) {
    out += '$';
    out += std::to_string(a.size());
    out += "\r\n";
    out.append(a.data(), a.size());
    out += "\r\n";
  }
}

}  // namespace

void append_command(std::string& out, const std::vector<std::string>& args) { append_all(out, args, args.size()); }

void append_command(std::string& out, std::initializer_list<std::string_view> args) {
  append_all(out, args, args.size());
}

}  // namespace herald::redis
