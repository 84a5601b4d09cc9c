// Incremental, sans-I/O STOMP frame parser (STOMP 1.0/1.1/1.2 "STOMP Frames"
// and "Augmented BNF"). One parser is owned by one connection and is not
// thread-safe; it never throws on input and never reads past its buffer.
//
// Results do not depend on how the byte stream is split across feed() calls:
// every check is tied to the byte position where it becomes decidable, and
// the parser only looks at bytes that can still belong to an in-limit frame.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

#include "stomp/errors.hpp"
#include "stomp/frame.hpp"

namespace herald::stomp {

struct parser_limits {
  // Whole wire frame: command line, header lines, blank line, body and the
  // terminating NUL. Heart-beat EOLs between frames are not counted.
  std::size_t max_frame_bytes = 65536;
  std::size_t max_headers = 32;
  // One header line, excluding its EOL.
  std::size_t max_header_bytes = 4096;
};

enum class parse_status { need_more, frame, error };

class parser {
 public:
  explicit parser(parser_limits limits = {});

  // Escaping and EOL rules for header lines parsed from now on; default v1_2
  // so CONNECT (never escaped) parses before negotiation. Call it right after
  // next() hands out the CONNECT frame.
  void set_version(version v) { version_ = v; }
  version current_version() const { return version_; }

  // Appends bytes, which may hold partial frames, several frames and
  // heart-beat EOLs. Ignored once the parser is in error.
  void feed(std::string_view bytes);

  // Extracts the next complete frame into `out`. need_more: wait for more
  // bytes. error: `ec` is set and every later call returns the same error.
  parse_status next(frame& out, std::error_code& ec);

  // Bytes held (unparsed or belonging to the frame in progress).
  std::size_t buffered() const { return buf_.size() - pos_; }
  // Between frames, give back the buffer: idle connections should hold
  // almost nothing.
  void release_idle_memory();

 private:
  enum class state { skip_eol, command_line, header_lines, body_sized, body_to_nul, failed };
  enum class step { advance, need_more, frame, error };

  step skip_eol();
  step read_line();
  step finish_command(std::string_view line);
  step finish_header(std::string_view line);
  step finish_headers();
  step read_body_sized(frame& out);
  step read_body_to_nul(frame& out);
  step fail(parse_error e);
  void emit(frame& out, std::size_t nul_pos);
  void compact();
  std::size_t window_end() const;
  std::size_t overflow_pos(std::size_t begin, std::size_t end, std::size_t max) const;

  parser_limits limits_;
  version version_ = version::v1_2;
  state state_ = state::skip_eol;
  std::string buf_;
  std::size_t pos_ = 0;         // first byte of the frame in progress
  std::size_t line_start_ = 0;  // first byte of the current command/header line
  std::size_t scan_ = 0;        // first byte not yet searched for a terminator
  std::size_t body_start_ = 0;
  std::size_t body_len_ = 0;  // from content-length, in state body_sized
  frame pending_;
  std::error_code error_;
};

// Decodes STOMP 1.1/1.2 header escapes (\n \c \\, plus \r in 1.2). nullopt on
// an undefined escape or a trailing backslash, which STOMP 1.2 "Value
// Encoding" makes a fatal protocol error. Under 1.0 returns the input as is.
std::optional<std::string> unescape(std::string_view text, version v);

}  // namespace herald::stomp
