// Error codes the STOMP parser reports, wired into std::error_code under the
// "stomp" category. Stateless; the category singleton is safe to use from any
// thread. message() texts are written to be sent verbatim as the `message`
// header of an ERROR frame.
#pragma once

#include <system_error>
#include <type_traits>

namespace herald::stomp {

enum class parse_error {
  bad_command = 1,
  header_without_colon,
  invalid_escape,
  too_many_headers,
  header_too_long,
  frame_too_large,
  bad_content_length,
  missing_nul,
  // Additions beyond the original list; appended so earlier values keep their
  // numbers.
  bare_carriage_return,  // STOMP 1.2: a CR is only legal as part of CR LF
  nul_in_headers,        // NUL before the blank line ending the headers
};

const std::error_category& stomp_category() noexcept;

std::error_code make_error_code(parse_error e) noexcept;

}  // namespace herald::stomp

template <>
struct std::is_error_code_enum<herald::stomp::parse_error> : std::true_type {};
