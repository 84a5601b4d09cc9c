// SockJS framing (the wire format every SockJS transport shares): the
// `o`, `h`, `a[...]` and `c[code,"reason"]` frames, the JSON string escaping
// SockJS requires, and how each HTTP transport wraps a frame. Pure text.
#pragma once

#include <string>
#include <string_view>

namespace herald::sockjs {

inline constexpr std::string_view open_frame = "o";
inline constexpr std::string_view heartbeat_frame = "h";

// The standard close codes of the protocol.
inline constexpr int go_away_code = 3000;          // session closed by the server
inline constexpr std::string_view go_away_reason = "Go away!";
inline constexpr int another_connection_code = 2010;  // a second receiving request
inline constexpr int interrupted_code = 1002;

// c[code,"reason"]
std::string close_frame(int code, std::string_view reason);

// Appends `utf8` JSON-escaped, without the surrounding quotes. Beyond JSON's
// own rules it escapes, as \uXXXX, every code point a browser might
// normalise or drop on the way through XHR, EventSource or an iframe: all
// controls, surrogates, non-characters and every non-ASCII character outside
// a safe list of common scripts (Latin-1 and Latin Extended letters,
// Greek/Cyrillic, kana, CJK ideographs, Hangul). Invalid UTF-8 becomes
// U+FFFD, so the output is always valid JSON text.
void append_escaped(std::string& out, std::string_view utf8);

// `"` + escaped + `"`.
std::string quote(std::string_view utf8);

// Builds a["m1","m2",...] from messages appended one at a time, each
// possibly in several pieces.
class array_frame {
 public:
  explicit array_frame(std::string& out) : out_(out), start_(out.size()) {}
  void begin_message();
  void piece(std::string_view p) { append_escaped(out_, p); }
  void end_message() { out_ += '"'; }
  bool empty() const { return out_.size() == start_; }
  // Closes the array; returns false (and leaves `out` as it was) when no
  // message was added.
  bool finish();

 private:
  std::string& out_;
  std::size_t start_;
};

// The HTTP transports, each with its own wrapping of a frame.
enum class http_transport { xhr, xhr_streaming, eventsource, htmlfile, jsonp };

bool is_streaming(http_transport t);
std::string_view content_type(http_transport t);
// Bytes sent once before the first frame of a response: padding that makes
// browsers and proxies start delivering a stream, or the htmlfile page.
std::string prelude(http_transport t, std::string_view callback);
// Appends `frame` as the transport carries it (xhr: frame + "\n",
// eventsource: "data: frame\r\n\r\n", jsonp/htmlfile: a JS call).
void wrap(std::string& out, http_transport t, std::string_view frame, std::string_view callback);

}  // namespace herald::sockjs
