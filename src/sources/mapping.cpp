#include "sources/mapping.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

namespace herald::sources {
namespace {

namespace json = boost::json;

// Payloads are flat business events; deep nesting is an attack.
constexpr std::size_t max_depth = 32;

// The length of the well-formed UTF-8 sequence at s[i], or 0 (RFC 3629:
// no overlongs, no surrogates, nothing past U+10FFFF).
std::size_t utf8_sequence(std::string_view s, std::size_t i) {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[i + k]); };
  const auto cont = [&](std::size_t k) { return i + k < s.size() && (b(k) & 0xC0) == 0x80; };
  const unsigned char c = b(0);
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (!cont(1) || !cont(2)) return 0;
    if ((c == 0xE0 && b(1) < 0xA0) || (c == 0xED && b(1) > 0x9F)) return 0;
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (!cont(1) || !cont(2) || !cont(3)) return 0;
    if ((c == 0xF0 && b(1) < 0x90) || (c == 0xF4 && b(1) > 0x8F)) return 0;
    return 4;
  }
  return 0;
}

core::message_fields base(const config::source_map& m, std::string body) {
  core::message_fields f;
  f.headers = m.headers;
  f.body = std::move(body);
  return f;
}

}  // namespace

mapped map_user_event(const config::source_map& m, const std::string& user, std::string body) {
  mapped out;
  if (!valid_utf8(user)) {
    // A user id names STOMP sessions and goes into JSON bodies: text only.
    out.error = "the user id is not valid UTF-8";
    return out;
  }
  if (!m.user_destination.empty()) {
    if (user.empty()) {
      out.error = "the user id is empty";
      return out;
    }
    auto f = base(m, m.topic.empty() ? std::move(body) : body);
    f.kind = core::target_kind::user;
    f.user = user;
    f.destination = m.user_destination;
    out.publishes.push_back(std::move(f));
  }
  if (!m.topic.empty()) {
    auto f = base(m, std::move(body));
    f.destination = m.topic;
    out.publishes.push_back(std::move(f));
  }
  return out;
}

mapped map_json_event(const config::source_map& m, std::string_view payload) {
  mapped out;
  json::parse_options opts;
  opts.max_depth = max_depth;
  json::error_code ec;
  json::value v = json::parse(payload, ec, {}, opts);
  if (ec) {
    out.error = "payload is not JSON: " + ec.message();
    return out;
  }
  std::string user;
  if (!m.user.empty()) {
    const json::value* u = v.find_pointer(m.user, ec);
    if (!u) {
      out.error = "no user at " + m.user;
      return out;
    }
    if (u->is_string()) {
      user = std::string(u->get_string());
    } else if (u->is_int64() || u->is_uint64()) {
      user = json::serialize(*u);  // a numeric id, e.g. a phone number
    } else {
      out.error = "the user at " + m.user + " is not a string or an integer";
      return out;
    }
  }
  std::string body;
  if (m.body.empty()) {
    body = std::string(payload);
  } else {
    const json::value* b = v.find_pointer(m.body, ec);
    if (!b) {
      out.error = "no body at " + m.body;
      return out;
    }
    body = b->is_string() ? std::string(b->get_string()) : json::serialize(*b);
  }
  return map_user_event(m, user, std::move(body));
}

std::string fill_user(std::string_view templ, std::string_view user) {
  // Invalid UTF-8 would make the result invalid JSON: U+FFFD stands in.
  std::string text;
  for (std::size_t i = 0; i < user.size();) {
    const auto n = utf8_sequence(user, i);
    text.append(n ? user.substr(i, n) : std::string_view("\xEF\xBF\xBD"));
    i += n ? n : 1;
  }
  std::string quoted = json::serialize(json::string(text));
  std::string_view escaped = std::string_view(quoted).substr(1, quoted.size() - 2);
  std::string out;
  out.reserve(templ.size() + escaped.size());
  for (std::size_t i = 0;;) {
    const auto at = templ.find("{user}", i);
    out.append(templ.substr(i, at - i));
    if (at == std::string_view::npos) break;
    out.append(escaped);
    i = at + 6;
  }
  return out;
}

}  // namespace herald::sources
