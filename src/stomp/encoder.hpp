// STOMP frame encoder: the inverse of parser.hpp for a negotiated version.
// Pure functions over values; safe to call from any thread.
#pragma once

#include <string>
#include <string_view>

#include "stomp/frame.hpp"

namespace herald::stomp {

// STOMP 1.1/1.2 "Value Encoding": 1.0 returns the text unchanged; 1.1 escapes
// backslash, LF and ':' (\\ \n \c); 1.2 additionally escapes CR as \r.
std::string escape(std::string_view value, version v);

// Appends "name:value\n". Name and value are escaped per escape() unless
// uses_escaping(v, c) is false (1.0, or CONNECT/STOMP/CONNECTED frames); raw
// text must then not contain LF (nor ':' in the name), which the caller owns.
void append_header(std::string& out, std::string_view name, std::string_view value, version v,
                   command c);

// Whole frame: command line, headers in order, a content-length header
// appended when the body is non-empty and none is present, blank line, body,
// NUL. An existing content-length header is emitted as given.
std::string encode(const frame& f, version v);

}  // namespace herald::stomp
