#include "stomp/encoder.hpp"

namespace herald::stomp {

std::string escape(std::string_view value, version v) {
  std::string out;
  out.reserve(value.size());
  if (v == version::v1_0) {
    out.append(value);
    return out;
  }
  for (char c : value) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case ':': out += "\\c"; break;
      case '\r':
        // 1.1 has no \r escape; a CR there goes out raw.
        if (v == version::v1_2) {
          out += "\\r";
        } else {
          out += c;
        }
        break;
      default: out += c;
    }
  }
  return out;
}

void append_header(std::string& out, std::string_view name, std::string_view value, version v,
                   command c) {
  if (uses_escaping(v, c)) {
    out += escape(name, v);
    out += ':';
    out += escape(value, v);
  } else {
    out.append(name);
    out += ':';
    out.append(value);
  }
  out += '\n';
}

std::string encode(const frame& f, version v) {
  std::string out;
  std::size_t reserve = 16 + f.body.size();
  for (const auto& h : f.headers) reserve += h.name.size() + h.value.size() + 2;
  out.reserve(reserve);

  out += to_string(f.cmd);
  out += '\n';
  for (const auto& h : f.headers) append_header(out, h.name, h.value, v, f.cmd);
  // STOMP 1.2 "Header content-length": frames SHOULD carry it, and it is what
  // lets a body contain NUL octets.
  if (!f.body.empty() && f.find("content-length") == nullptr) {
    append_header(out, "content-length", std::to_string(f.body.size()), v, f.cmd);
  }
  out += '\n';
  out += f.body;
  out += '\0';
  return out;
}

}  // namespace herald::stomp
