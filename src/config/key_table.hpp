// The single table of every config key: YAML path, env var, type, default,
// one-line doc, and how to read/write it in `config`. The YAML, env and
// command-line layers, --help and docs/config.md are all driven from it, so
// adding a key here is the whole job. Startup only (the table itself is an
// immutable function-local static).
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"

namespace herald::config {

enum class value_kind {
  text,       // any string
  uint,       // decimal std::uint32_t
  real,       // finite double
  choice,     // one of a fixed set of words (enums, log level)
  list,       // YAML sequence of strings, or comma-separated text
  endpoints,  // YAML sequence of {path, allowed_origins}, or comma-separated paths
  sources,    // YAML sequence of event sources; from env/flags as YAML text
};

struct key_info {
  std::string path;  // YAML path, e.g. "limits.max_frame_bytes"
  std::string env;   // e.g. "HERALD_LIMITS_MAX_FRAME_BYTES"
  value_kind kind = value_kind::text;
  std::string type;          // for docs: "uint", "string", "text|json", "list", ...
  std::string default_text;  // what get_text returns for a default `config`
  std::string doc;           // one line

  // From env vars, flags and YAML scalars. Throws config_error naming path.
  std::function<void(config&, std::string_view)> set_text;
  // YAML sequences; set only for value_kind::list.
  std::function<void(config&, std::vector<std::string>)> set_list;
  // Text form that set_text reads back (lists comma-joined).
  std::function<std::string(const config&)> get_text;
};

const std::vector<key_info>& key_table();

// nullptr when unknown.
const key_info* find_key(std::string_view path);
const key_info* find_env(std::string_view env_name);

// True for a path that only groups keys ("log", "auth", "auth.jwt", ...), so
// the YAML layer knows to descend into it.
bool is_section(std::string_view path);

// "limits.max_frame_bytes" → "HERALD_LIMITS_MAX_FRAME_BYTES".
std::string env_name(std::string_view path);

}  // namespace herald::config
