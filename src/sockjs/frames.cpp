#include "sockjs/frames.hpp"

#include <array>
#include <cstdint>

namespace herald::sockjs {
namespace {

constexpr char hex[] = "0123456789abcdef";

// Bytes copied as they are: printable ASCII but '"' and '\\'. One table
// lookup per byte in the common all-ASCII run (bench/micro: BM_SockjsFrame*).
constexpr std::array<bool, 256> plain_table = [] {
  std::array<bool, 256> t{};
  for (int c = 0x20; c < 0x7f; ++c) t[static_cast<std::size_t>(c)] = c != '"' && c != '\\';
  return t;
}();

void append_u(std::string& out, std::uint32_t unit) {
  out += "\\u";
  for (int shift = 12; shift >= 0; shift -= 4) out += hex[(unit >> shift) & 0xf];
}

// Non-ASCII code points that pass unescaped: scripts browsers leave alone.
// Escaping more is always correct, so the list stays short and obvious.
bool safe_non_ascii(std::uint32_t cp) {
  if (cp >= 0xa0 && cp <= 0x2ff) return cp != 0xad;  // Latin-1, Latin Extended (not the soft hyphen)
  if (cp >= 0x391 && cp <= 0x3c9) return true;       // Greek letters
  if (cp >= 0x400 && cp <= 0x4ff) return true;       // Cyrillic
  if (cp >= 0x3041 && cp <= 0x30ff) return true;     // kana
  if (cp >= 0x4e00 && cp <= 0x9fff) return true;     // CJK unified ideographs
  if (cp >= 0xac00 && cp <= 0xd7a3) return true;     // Hangul syllables
  return false;
}

void append_code_point(std::string& out, std::uint32_t cp, std::string_view raw) {
  if (safe_non_ascii(cp)) {
    out.append(raw);
  } else if (cp < 0x10000) {
    append_u(out, cp);
  } else {
    cp -= 0x10000;
    append_u(out, 0xd800 + (cp >> 10));
    append_u(out, 0xdc00 + (cp & 0x3ff));
  }
}

// Length of the valid UTF-8 sequence at s[i] and its code point; 0 when invalid.
std::size_t decode(std::string_view s, std::size_t i, std::uint32_t& cp) {
  auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[i + k]); };
  auto cont = [&](std::size_t k) { return i + k < s.size() && (b(k) & 0xc0) == 0x80; };
  unsigned char c = b(0);
  if (c >= 0xc2 && c <= 0xdf && cont(1)) {
    cp = ((c & 0x1fu) << 6) | (b(1) & 0x3fu);
    return 2;
  }
  if (c >= 0xe0 && c <= 0xef && cont(1) && cont(2)) {
    cp = ((c & 0x0fu) << 12) | ((b(1) & 0x3fu) << 6) | (b(2) & 0x3fu);
    if (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff)) return 0;  // overlong, surrogate
    return 3;
  }
  if (c >= 0xf0 && c <= 0xf4 && cont(1) && cont(2) && cont(3)) {
    cp = ((c & 0x07u) << 18) | ((b(1) & 0x3fu) << 12) | ((b(2) & 0x3fu) << 6) | (b(3) & 0x3fu);
    if (cp < 0x10000 || cp > 0x10ffff) return 0;
    return 4;
  }
  return 0;
}

}  // namespace

void append_escaped(std::string& out, std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    // Copy the run of plain ASCII in one go: the common case.
    std::size_t run = i;
    while (run < s.size() && plain_table[static_cast<unsigned char>(s[run])]) ++run;
    out.append(s.data() + i, run - i);
    i = run;
    if (i == s.size()) break;
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
      ++i;
    } else if (c < 0x80) {  // controls and DEL
      switch (c) {
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default: append_u(out, c);
      }
      ++i;
    } else {
      std::uint32_t cp = 0;
      std::size_t n = decode(s, i, cp);
      if (n == 0) {
        append_u(out, 0xfffd);
        ++i;
      } else {
        append_code_point(out, cp, s.substr(i, n));
        i += n;
      }
    }
  }
}

std::string quote(std::string_view utf8) {
  std::string out;
  out.reserve(utf8.size() + 2);
  out += '"';
  append_escaped(out, utf8);
  out += '"';
  return out;
}

std::string close_frame(int code, std::string_view reason) {
  std::string out = "c[" + std::to_string(code) + ",";
  out += quote(reason);
  out += ']';
  return out;
}

void array_frame::begin_message() {
  out_ += empty() ? "a[\"" : ",\"";
}

bool array_frame::finish() {
  if (empty()) return false;
  out_ += ']';
  return true;
}

bool is_streaming(http_transport t) {
  return t == http_transport::xhr_streaming || t == http_transport::eventsource || t == http_transport::htmlfile;
}

std::string_view content_type(http_transport t) {
  switch (t) {
    case http_transport::eventsource: return "text/event-stream; charset=UTF-8";
    case http_transport::htmlfile: return "text/html; charset=UTF-8";
    default: return "application/javascript; charset=UTF-8";
  }
}

std::string prelude(http_transport t, std::string_view callback) {
  switch (t) {
    case http_transport::xhr_streaming:
      // Some browsers deliver nothing of a streaming XHR before 2 KiB.
      return std::string(2048, 'h') + "\n";
    case http_transport::eventsource:
      return "\r\n";
    case http_transport::htmlfile: {
      // The page hands every frame to the SockJS client in the parent
      // window: start() now, message() per frame, stop() when the response ends.
      std::string page =
          "<!doctype html>\n<html><head>\n"
          "  <meta http-equiv=\"X-UA-Compatible\" content=\"IE=edge\" />\n"
          "  <meta http-equiv=\"Content-Type\" content=\"text/html; charset=UTF-8\" />\n"
          "</head><body><h2>herald SockJS stream</h2>\n"
          "  <script>\n"
          "    document.domain = document.domain;\n"
          "    var c = parent." +
          std::string(callback) +
          ";\n"
          "    c.start();\n"
          "    function p(d) {c.message(d);};\n"
          "    window.onload = function() {c.stop();};\n"
          "  </script>";
      // Browsers render an htmlfile incrementally only past 1 KiB.
      if (page.size() < 1024) page.append(1024 - page.size(), ' ');
      page += "\r\n\r\n";
      return page;
    }
    default:
      return {};
  }
}

void wrap(std::string& out, http_transport t, std::string_view frame, std::string_view callback) {
  switch (t) {
    case http_transport::xhr:
    case http_transport::xhr_streaming:
      out.append(frame);
      out += '\n';
      return;
    case http_transport::eventsource:
      out += "data: ";
      out.append(frame);
      out += "\r\n\r\n";
      return;
    case http_transport::htmlfile:
      out += "<script>\np(\"";
      // A "</script>" inside a message must not end the script element.
      for (char c : quote(frame).substr(1)) {
        if (c == '<') {
          out += "\\u003c";
        } else {
          out += c;
        }
      }
      out += ");\n</script>\r\n";
      return;
    case http_transport::jsonp:
      out += "/**/";
      out.append(callback);
      out += '(';
      out += quote(frame);
      out += ");\r\n";
      return;
  }
}

}  // namespace herald::sockjs
