#include "stomp/parser.hpp"

#include <algorithm>
#include <cstring>
#include <limits>
#include <utility>

namespace herald::stomp {

namespace {

constexpr std::size_t npos = std::string_view::npos;

// "UNSUBSCRIBE": a longer command line can never be valid, so it fails as
// soon as its 12th content byte arrives instead of waiting for the frame
// limit.
constexpr std::size_t longest_command = 11;

// Dead bytes before the frame in progress are dropped once there are at least
// this many and they outnumber the live ones, so erasing stays amortised O(1)
// per byte.
constexpr std::size_t compact_threshold = 4096;

// content-length is "the number of octets in the body" (STOMP 1.2 "Header
// content-length"): decimal digits only, no sign, no whitespace.
std::optional<std::size_t> parse_length(std::string_view text) {
  if (text.empty()) return std::nullopt;
  std::size_t n = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    const auto digit = static_cast<std::size_t>(c - '0');
    if (n > (std::numeric_limits<std::size_t>::max() - digit) / 10) return std::nullopt;
    n = n * 10 + digit;
  }
  return n;
}

}  // namespace

std::optional<std::string> unescape(std::string_view text, version v) {
  if (v == version::v1_0 || text.find('\\') == npos) return std::string(text);
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c != '\\') {
      out += c;
      continue;
    }
    if (++i == text.size()) return std::nullopt;  // trailing backslash
    switch (text[i]) {
      case 'n': out += '\n'; break;
      case 'c': out += ':'; break;
      case '\\': out += '\\'; break;
      case 'r':
        // \r was only added in 1.2; in 1.1 it is an undefined escape.
        if (v != version::v1_2) return std::nullopt;
        out += '\r';
        break;
      default: return std::nullopt;
    }
  }
  return out;
}

parser::parser(parser_limits limits) : limits_(limits) {}

void parser::feed(std::string_view bytes) {
  if (state_ == state::failed) return;
  compact();
  buf_.append(bytes);
}

void parser::release_idle_memory() {
  if (pos_ != buf_.size()) return;
  pos_ = line_start_ = scan_ = body_start_ = 0;
  // All of it: most connections go quiet after their last frame, and an
  // active client pays one allocation per read, far below its syscalls.
  std::string().swap(buf_);
  if (pending_.headers.capacity() > 8) pending_ = frame{};
}

void parser::compact() {
  if (pos_ == 0) return;
  if (pos_ != buf_.size() && (pos_ < compact_threshold || pos_ < buf_.size() - pos_)) return;
  buf_.erase(0, pos_);
  // Offsets below pos_ are stale (only meaningful inside a frame) and reset.
  for (std::size_t* offset : {&line_start_, &scan_, &body_start_}) {
    *offset = *offset >= pos_ ? *offset - pos_ : 0;
  }
  pos_ = 0;
}

parse_status parser::next(frame& out, std::error_code& ec) {
  for (;;) {
    step s = step::advance;
    switch (state_) {
      case state::failed: ec = error_; return parse_status::error;
      case state::skip_eol: s = skip_eol(); break;
      case state::command_line:
      case state::header_lines: s = read_line(); break;
      case state::body_sized: s = read_body_sized(out); break;
      case state::body_to_nul: s = read_body_to_nul(out); break;
    }
    switch (s) {
      case step::advance: continue;
      case step::need_more: ec.clear(); return parse_status::need_more;
      case step::frame: ec.clear(); return parse_status::frame;
      case step::error: ec = error_; return parse_status::error;
    }
  }
}

// Frames may be preceded by any number of EOLs: the optional EOLs after a
// frame's NUL and heart-beats (STOMP 1.2 "Heart-beating", "Augmented BNF").
// They are consumed here and never count toward max_frame_bytes.
parser::step parser::skip_eol() {
  while (pos_ < buf_.size()) {
    const char c = buf_[pos_];
    if (c == '\n') {
      ++pos_;
      continue;
    }
    if (c == '\r') {
      if (pos_ + 1 == buf_.size()) return step::need_more;  // CR LF split
      if (buf_[pos_ + 1] == '\n') {
        pos_ += 2;
        continue;
      }
    }
    break;
  }
  if (pos_ == buf_.size()) return step::need_more;
  line_start_ = scan_ = pos_;
  pending_ = frame{};
  state_ = state::command_line;
  return step::advance;
}

// Only bytes that could still belong to an in-limit frame are examined, so a
// problem beyond the limit is never reported ahead of frame_too_large and the
// outcome does not depend on how much arrived in one feed().
std::size_t parser::window_end() const {
  return pos_ + std::min(buf_.size() - pos_, limits_.max_frame_bytes);
}

// Position of the byte at which the line [begin, end) is known to hold more
// than `max` content bytes, or npos. A CR sitting exactly at the limit may
// still be the first half of the CR LF ending the line, so it only counts once
// a following byte proves otherwise.
std::size_t parser::overflow_pos(std::size_t begin, std::size_t end, std::size_t max) const {
  if (end - begin <= max) return npos;
  const std::size_t p = begin + max;
  if (buf_[p] != '\r') return p;
  if (p + 1 < end) return p + 1;
  return npos;
}

parser::step parser::read_line() {
  const bool is_command = state_ == state::command_line;
  const std::size_t max_len = is_command ? longest_command : limits_.max_header_bytes;
  const parse_error too_long = is_command ? parse_error::bad_command : parse_error::header_too_long;
  const std::size_t end = window_end();

  std::size_t t = scan_;
  while (t < end && buf_[t] != '\n' && buf_[t] != '\0') ++t;
  if (t == end) {
    scan_ = end;  // resume here: bytes arriving one by one stay linear
    if (overflow_pos(line_start_, end, max_len) != npos) return fail(too_long);
    if (end - pos_ >= limits_.max_frame_bytes) return fail(parse_error::frame_too_large);
    return step::need_more;
  }

  if (buf_[t] == '\0') {
    // A NUL ends the frame (STOMP 1.2 "STOMP Frames"), but headers must be
    // closed by a blank line first, e.g. "DISCONNECT\n\0" is malformed.
    if (overflow_pos(line_start_, t + 1, max_len) != npos) return fail(too_long);
    return fail(is_command ? parse_error::bad_command : parse_error::nul_in_headers);
  }
  if (overflow_pos(line_start_, t, max_len) != npos) return fail(too_long);

  std::string_view line(buf_.data() + line_start_, t - line_start_);
  line_start_ = scan_ = t + 1;
  // EOL is LF or CR LF. 1.2 defines CR LF; 1.0/1.1 peers (telnet, older
  // libraries) send it too, so the CR is dropped under every version.
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return is_command ? finish_command(line) : finish_header(line);
}

parser::step parser::finish_command(std::string_view line) {
  const auto cmd = parse_command(line);
  if (!cmd) return fail(parse_error::bad_command);
  pending_.cmd = *cmd;
  state_ = state::header_lines;
  return step::advance;
}

parser::step parser::finish_header(std::string_view line) {
  if (line.empty()) return finish_headers();
  // STOMP 1.2 "Value Encoding": a CR inside a header must be sent as \r.
  if (version_ == version::v1_2 && line.find('\r') != npos) {
    return fail(parse_error::bare_carriage_return);
  }
  if (pending_.headers.size() >= limits_.max_headers) return fail(parse_error::too_many_headers);
  const std::size_t colon = line.find(':');
  if (colon == npos) return fail(parse_error::header_without_colon);
  // Split at the first colon: names cannot contain a raw ':' and values may
  // (1.0 allows it; 1.1/1.2 only in CONNECT/CONNECTED, which are not escaped).
  const std::string_view name = line.substr(0, colon);
  const std::string_view value = line.substr(colon + 1);
  if (!uses_escaping(version_, pending_.cmd)) {
    pending_.add(std::string(name), std::string(value));
    return step::advance;
  }
  auto decoded_name = unescape(name, version_);
  auto decoded_value = unescape(value, version_);
  if (!decoded_name || !decoded_value) return fail(parse_error::invalid_escape);
  pending_.add(std::move(*decoded_name), std::move(*decoded_value));
  return step::advance;
}

// STOMP 1.2 "Header content-length": when present it gives the body length
// (the body may then contain NULs); otherwise the body runs to the first NUL.
// Repeated entries: the first one wins, as for every header.
parser::step parser::finish_headers() {
  body_start_ = line_start_;
  const std::string* length_text = pending_.find("content-length");
  if (length_text == nullptr) {
    scan_ = body_start_;
    state_ = state::body_to_nul;
    return step::advance;
  }
  const auto length = parse_length(*length_text);
  if (!length) return fail(parse_error::bad_content_length);
  // Known total = head + body + NUL; reject it now rather than after
  // buffering a body that can never fit.
  const std::size_t head = body_start_ - pos_;
  const std::size_t max = limits_.max_frame_bytes;
  if (*length >= max || head > max - *length - 1) return fail(parse_error::frame_too_large);
  body_len_ = *length;
  state_ = state::body_sized;
  return step::advance;
}

parser::step parser::read_body_sized(frame& out) {
  const std::size_t nul_pos = body_start_ + body_len_;
  if (buf_.size() <= nul_pos) return step::need_more;
  if (buf_[nul_pos] != '\0') return fail(parse_error::missing_nul);
  emit(out, nul_pos);
  return step::frame;
}

parser::step parser::read_body_to_nul(frame& out) {
  const std::size_t end = window_end();
  const void* hit = std::memchr(buf_.data() + scan_, '\0', end - scan_);
  if (hit == nullptr) {
    scan_ = end;
    if (end - pos_ >= limits_.max_frame_bytes) return fail(parse_error::frame_too_large);
    return step::need_more;
  }
  emit(out, static_cast<std::size_t>(static_cast<const char*>(hit) - buf_.data()));
  return step::frame;
}

void parser::emit(frame& out, std::size_t nul_pos) {
  pending_.body.assign(buf_, body_start_, nul_pos - body_start_);
  out = std::move(pending_);
  pending_ = frame{};
  pos_ = nul_pos + 1;
  state_ = state::skip_eol;
}

parser::step parser::fail(parse_error e) {
  error_ = make_error_code(e);
  state_ = state::failed;
  // The connection is going to be closed; release the memory now.
  std::string().swap(buf_);
  pos_ = line_start_ = scan_ = body_start_ = 0;
  pending_ = frame{};
  return step::error;
}

}  // namespace herald::stomp
