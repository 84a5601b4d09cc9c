// Reads one JWT claim value from its JSON text (libjwt's jwt_get_grants_json
// hands claims back re-serialised by jansson). Going through the JSON text
// rather than jwt_get_grant keeps "\u0000" inside strings instead of
// silently truncating them, and lets "aud" be a string or an array.
//
// Internal to herald_auth (and the fuzz target). Pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace herald::auth::detail {

enum class json_kind { string, number, array, other };

struct json_claim {
  json_kind kind = json_kind::other;
  std::string text;                  // string: the unescaped value; number: its literal
  std::vector<std::string> strings;  // array: its string elements, in order
};

// nullopt when `json` is not exactly one well-formed JSON value (nesting is
// capped, so hostile input cannot exhaust the stack).
std::optional<json_claim> parse_claim(std::string_view json);

// A JSON number literal as seconds; nullopt when it is not a number.
std::optional<double> number_value(std::string_view literal);

}  // namespace herald::auth::detail
