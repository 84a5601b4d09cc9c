// Text conventions of HTTP requests shared by authentication (tokens in
// query strings and cookies) and SockJS (form bodies, JSONP callbacks,
// JSESSIONID): byte-level parsing of untrusted input that never throws on
// content and never reads out of bounds. Fuzzed through fuzz/auth_token.cpp
// and fuzz/sockjs.cpp.
#pragma once

#include <string>
#include <string_view>

namespace herald::util {

// application/x-www-form-urlencoded decoding: '%XX' and '+' as space. A '%'
// not followed by two hex digits is kept as is: browsers send such URLs, and
// rejecting them would only turn a bad token into a confusing "missing token".
std::string form_decode(std::string_view s);

// s without leading and trailing spaces, tabs, CRs and LFs.
std::string_view trim_space(std::string_view s);

// Value of field `name` in "a=1&b=2" (a query string or a form body),
// form-decoded; the first match wins; "" when absent.
std::string form_field(std::string_view fields, std::string_view name);

// Value of query parameter `name` in a request target ("/ws?x=1&t=abc%2B").
// Only the part after the first '?' and before '#' is searched.
std::string query_value(std::string_view target, std::string_view name);

// Value of cookie `name` in a Cookie header ("a=1; b=2"); the first match
// wins, surrounding double quotes are removed, nothing is decoded.
// "" when absent.
std::string cookie_value(std::string_view cookie_header, std::string_view name);

}  // namespace herald::util
