// The individual layers load() stacks on top of the defaults. Internal to
// herald_config (keeps yaml-cpp out of every other header); startup only.
#pragma once

#include <string>

#include "config/config.hpp"

namespace herald::config::detail {

// Applies a YAML document. `source` names it in errors (a file path, or
// empty for an in-memory string); errors then read "(<source>:<line>)".
void apply_yaml(config& cfg, const std::string& yaml, const std::string& source);

// Applies every HERALD_* variable in envp (may be null); unknown HERALD_*
// names are errors, other variables are ignored.
void apply_env(config& cfg, char** envp);

// Applies one key=value (from --set or a dedicated flag). `source` names
// the flag in errors.
void apply_text(config& cfg, const std::string& key, const std::string& value,
                const std::string& source);

}  // namespace herald::config::detail
