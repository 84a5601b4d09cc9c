// libFuzzer target for the SockJS text layer (src/sockjs/): every function
// that reads client bytes — parse_route, parse_messages (HTTP and WebSocket
// modes), jsonp_payload (form and raw bodies), util::form_field, valid_callback,
// add_session_cookie — and the escaping every outgoing frame goes through.
// None may crash. Whatever parse_route accepts must rebuild the input;
// accepted messages must survive quote() and parse back unchanged; quote()
// must always give valid JSON without raw controls or line separators, and
// give back valid UTF-8 input exactly; the transports' wrappers must keep a
// frame intact and never let it close the htmlfile script. Links
// herald_sockjs (Boost.JSON). Single-threaded.
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "sockjs/frames.hpp"
#include "sockjs/incoming.hpp"
#include "sockjs/pages.hpp"
#include "sockjs/route.hpp"
#include "util/http_text.hpp"

namespace {

namespace json = boost::json;
using namespace herald::sockjs;
namespace util = herald::util;

#define FUZZ_CHECK(cond)       \
  do {                         \
    if (!(cond)) std::abort(); \
  } while (0)

// An independent UTF-8 check: shortest forms, no surrogates, at most U+10FFFF.
bool valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = 0;
    std::uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xe0) == 0xc0) {
      n = 2;
      cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      n = 3;
      cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      n = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + n > s.size()) return false;
    for (std::size_t k = 1; k < n; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3f);
    }
    const std::uint32_t min[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += n;
  }
  return true;
}

bool parse(std::string_view text, json::value& out) {
  boost::system::error_code ec;
  out = json::parse(text, ec);
  return !ec;
}

// The JSON string `text` encodes; aborts when it is not one.
std::string json_string(std::string_view text) {
  json::value v;
  FUZZ_CHECK(parse(text, v));
  FUZZ_CHECK(v.is_string());
  return std::string(v.get_string());
}

// quote()'s output: valid JSON, ASCII controls and DEL escaped, and none of
// the characters that end a JavaScript string or vanish in transit raw.
void check_quoted(std::string_view in, const std::string& q) {
  FUZZ_CHECK(q.size() >= 2 && q.front() == '"' && q.back() == '"');
  for (unsigned char c : q) FUZZ_CHECK(c >= 0x20 && c != 0x7f);
  for (std::string_view raw : {"\xe2\x80\xa8", "\xe2\x80\xa9", "\xef\xbb\xbf", "\xc2\xad", "\xc2\x85"}) {
    FUZZ_CHECK(q.find(raw) == std::string::npos);
  }
  const std::string back = json_string(q);
  if (valid_utf8(in)) FUZZ_CHECK(back == in);
  FUZZ_CHECK(valid_utf8(back));
}

void check_escaping(std::string_view in) {
  const std::string q = quote(in);
  check_quoted(in, q);
  // append_escaped appends, leaving what was there.
  std::string out = "prefix";
  append_escaped(out, in);
  FUZZ_CHECK(out == "prefix" + q.substr(1, q.size() - 2));

  const std::string c = close_frame(go_away_code, in);
  json::value v;
  FUZZ_CHECK(c.size() > 1 && c[0] == 'c' && parse(std::string_view(c).substr(1), v));
  FUZZ_CHECK(v.is_array() && v.get_array().size() == 2 && v.get_array()[0].is_int64() &&
             v.get_array()[0].get_int64() == go_away_code);
}

// Messages split at '\n', each fed to array_frame in two pieces.
void check_array_frame(std::string_view in) {
  std::vector<std::string_view> messages;
  for (std::string_view rest = in;;) {
    const auto nl = rest.find('\n');
    messages.push_back(rest.substr(0, nl));
    if (nl == std::string_view::npos) break;
    rest.remove_prefix(nl + 1);
  }
  std::string frame = "x";
  array_frame a(frame);
  for (std::string_view m : messages) {
    // Split at an ASCII byte, or at the end, so no UTF-8 sequence is cut.
    std::size_t cut = m.size();
    for (std::size_t i = 0; i < m.size(); ++i) {
      if (static_cast<unsigned char>(m[i]) < 0x80) {
        cut = i;
        break;
      }
    }
    a.begin_message();
    a.piece(m.substr(0, cut));
    a.piece(m.substr(cut));
    a.end_message();
  }
  FUZZ_CHECK(a.finish());
  FUZZ_CHECK(frame.starts_with("xa["));
  json::value v;
  FUZZ_CHECK(parse(std::string_view(frame).substr(2), v));
  FUZZ_CHECK(v.is_array() && v.get_array().size() == messages.size());
  for (std::size_t i = 0; i < messages.size(); ++i) {
    FUZZ_CHECK(v.get_array()[i].is_string());
    if (valid_utf8(messages[i])) FUZZ_CHECK(v.get_array()[i].get_string() == messages[i]);
  }

  // Each transport carries the frame intact.
  std::string xhr;
  wrap(xhr, http_transport::xhr, frame, "");
  FUZZ_CHECK(xhr == frame + "\n");
  std::string es;
  wrap(es, http_transport::eventsource, frame, "");
  FUZZ_CHECK(es == "data: " + frame + "\r\n\r\n");
  std::string jsonp;
  wrap(jsonp, http_transport::jsonp, frame, "cb");
  FUZZ_CHECK(jsonp.starts_with("/**/cb(") && jsonp.ends_with(");\r\n"));
  FUZZ_CHECK(json_string(std::string_view(jsonp).substr(7, jsonp.size() - 7 - 4)) == frame);
  std::string html;
  wrap(html, http_transport::htmlfile, frame, "cb");
  const std::string_view head = "<script>\np(", tail = ");\n</script>\r\n";
  FUZZ_CHECK(html.starts_with(head) && html.ends_with(tail));
  const std::string_view arg = std::string_view(html).substr(head.size(), html.size() - head.size() - tail.size());
  FUZZ_CHECK(arg.find('<') == std::string_view::npos);
  FUZZ_CHECK(json_string(arg) == frame);
}

void check_route(std::string_view in) {
  const route r = parse_route(in);
  switch (r.kind) {
    case resource::greeting:
      FUZZ_CHECK(in.empty() || in == "/");
      break;
    case resource::info:
      FUZZ_CHECK(in == "/info");
      break;
    case resource::raw_websocket:
      FUZZ_CHECK(in == "/websocket");
      break;
    case resource::iframe:
      FUZZ_CHECK(in.starts_with("/iframe") && in.ends_with(".html"));
      FUZZ_CHECK(in.find('/', 1) == std::string_view::npos);
      break;
    case resource::session: {
      for (std::string_view id : {r.server, r.session}) {
        FUZZ_CHECK(!id.empty() && id.size() <= max_session_id);
        FUZZ_CHECK(id.find_first_of("./") == std::string_view::npos);
        // Views into the input, not copies.
        FUZZ_CHECK(id.data() >= in.data() && id.data() + id.size() <= in.data() + in.size());
      }
      const char* names[] = {"websocket", "xhr", "xhr_send", "xhr_streaming",
                             "eventsource", "htmlfile", "jsonp", "jsonp_send"};
      const std::string rebuilt = "/" + std::string(r.server) + "/" + std::string(r.session) + "/" +
                                  names[static_cast<int>(r.transport)];
      FUZZ_CHECK(rebuilt == in);
      break;
    }
    case resource::not_found:
      break;
  }
}

// Accepted messages go back out through quote() and parse back unchanged.
void check_messages(std::string_view payload) {
  const incoming http = parse_messages(payload, false);
  const incoming ws = parse_messages(payload, true);
  for (const incoming* r : {&http, &ws}) {
    if (!r->error.empty()) {
      FUZZ_CHECK(r->messages.empty());
      continue;
    }
    std::string again = "[";
    for (const auto& m : r->messages) {
      FUZZ_CHECK(valid_utf8(m));
      if (again.size() > 1) again += ',';
      again += quote(m);
    }
    again += ']';
    const incoming back = parse_messages(again, false);
    FUZZ_CHECK(back.error.empty() && back.messages == r->messages);
  }
  // What the HTTP transports accept, WebSocket accepts too.
  if (http.error.empty()) FUZZ_CHECK(ws.error.empty() && ws.messages == http.messages);
  if (payload.empty()) FUZZ_CHECK(!http.error.empty() && !ws.error.empty());
}

void check_forms(std::string_view in) {
  const std::string form = jsonp_payload(in, "application/x-www-form-urlencoded");
  FUZZ_CHECK(form.size() <= in.size());
  FUZZ_CHECK(form == util::form_field(in, "d"));
  check_messages(form);
  FUZZ_CHECK(jsonp_payload(in, "text/plain") == in);
  FUZZ_CHECK(util::form_field(in, "c").size() <= in.size());
  // Decoding never grows the text.
  FUZZ_CHECK(util::form_field("x=" + std::string(in), "x").size() <= in.size());
}

void check_callback(std::string_view in) {
  if (!valid_callback(in)) return;
  FUZZ_CHECK(!in.empty() && in.size() <= 256);
  for (char c : in) {
    FUZZ_CHECK((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
               c == '-' || c == '.');
  }
  const std::string page = prelude(http_transport::htmlfile, in);
  FUZZ_CHECK(page.size() >= 1024 && page.find("parent." + std::string(in) + ";") != std::string::npos);
}

void check_headers(std::string_view in) {
  header_list h;
  add_session_cookie(h, in);
  FUZZ_CHECK(h.size() == 1 && h[0].first == "Set-Cookie");
  const std::string& cookie = h[0].second;
  FUZZ_CHECK(cookie.starts_with("JSESSIONID=") && cookie.ends_with("; path=/"));
  const std::string_view value = std::string_view(cookie).substr(11, cookie.size() - 11 - 8);
  FUZZ_CHECK(!value.empty());
  for (unsigned char c : value) FUZZ_CHECK(c > 0x20 && c < 0x7f && c != '"' && c != ',' && c != ';' && c != '\\');

  header_list cors;
  add_cors(cors, in, in);
  FUZZ_CHECK(!cors.empty() && cors[0].first == "Access-Control-Allow-Origin");

  // Origins come from the (validated) config, so only well-formed text.
  if (valid_utf8(in)) {
    json::value info;
    FUZZ_CHECK(parse(info_body(info_settings{.origins = {std::string(in)}}, 7), info));
    FUZZ_CHECK(info.is_object());
  }

  const std::string tag = etag_of(in);
  FUZZ_CHECK(tag.size() == 18 && tag.front() == '"' && tag.back() == '"');
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  check_route(in);
  check_messages(in);
  check_forms(in);
  check_callback(in);
  check_escaping(in);
  check_array_frame(in);
  check_headers(in);
  return 0;
}
