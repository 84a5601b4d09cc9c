#include "stomp/errors.hpp"

#include <string>

namespace herald::stomp {

namespace {

class category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "stomp"; }

  std::string message(int value) const override {
    switch (static_cast<parse_error>(value)) {
      case parse_error::bad_command: return "unknown or malformed command line";
      case parse_error::header_without_colon: return "header line has no ':'";
      case parse_error::invalid_escape: return "header contains an undefined escape sequence";
      case parse_error::too_many_headers: return "frame has too many headers";
      case parse_error::header_too_long: return "header line exceeds the length limit";
      case parse_error::frame_too_large: return "frame exceeds the size limit";
      case parse_error::bad_content_length:
        return "content-length is not a valid decimal byte count";
      case parse_error::missing_nul:
        return "frame body is not followed by NUL at the end of content-length";
      case parse_error::bare_carriage_return:
        return "carriage return not followed by line feed in the headers";
      case parse_error::nul_in_headers:
        return "frame ended with NUL before the blank line after the headers";
    }
    return "unknown STOMP parse error";
  }
};

}  // namespace

const std::error_category& stomp_category() noexcept {
  static const category instance;
  return instance;
}

std::error_code make_error_code(parse_error e) noexcept {
  return {static_cast<int>(e), stomp_category()};
}

}  // namespace herald::stomp
