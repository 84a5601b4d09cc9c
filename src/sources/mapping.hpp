// The declarative mapping of `sources[].map`: an event becomes a user
// publish and/or a topic publish. Pure functions, unit-tested; the
// sources call them on their own threads.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"
#include "core/message.hpp"
#include "util/utf8.hpp"

namespace herald::sources {

struct mapped {
  std::vector<core::message_fields> publishes;
  std::string error;  // why the event cannot be mapped; publishes is empty then
};

// A JSON payload: map.user and map.body are JSON pointers into it.
mapped map_json_event(const config::source_map& m, std::string_view payload);

// An event that names its user and body itself (a key expiry).
mapped map_user_event(const config::source_map& m, const std::string& user, std::string body);

using util::valid_utf8;

// `{user}` in a template replaced by the user id, JSON-escaped (without
// quotes; invalid UTF-8 replaced by U+FFFD), so a template that is JSON
// stays JSON.
std::string fill_user(std::string_view templ, std::string_view user);

}  // namespace herald::sources
