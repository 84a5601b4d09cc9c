// Builds the node's `config` at startup: defaults → YAML file → HERALD_*
// environment → command line, then validate(). Owns the error type every
// layer reports with. Startup only: call from main() before any thread
// starts; the result is then shared read-only.
#pragma once

#include <iosfwd>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "config/config.hpp"

namespace herald::config {

// A bad key or value. what() is "<key>: <problem>" plus " (<source>)" when
// the layer knows where the value came from (file and line, env var, flag).
struct config_error : std::runtime_error {
  config_error(std::string key, std::string problem, std::string source = {});

  std::string key;      // config path, e.g. "limits.max_frame_bytes" or "endpoints[1].path"
  std::string problem;  // e.g. "unknown key"
  std::string source;   // e.g. "herald.yaml:12", "HERALD_THREADS", "--set"; may be empty
};

// Layers: defaults → YAML file (if yaml_path is non-empty) → env (envp may
// be null; only HERALD_* variables are read) → overrides (key=value, in
// order). Then validate(). Throws config_error.
config load(const std::string& yaml_path, char** envp,
            const std::vector<std::pair<std::string, std::string>>& overrides);

// Same as load() with the YAML given as text; for tests.
config load_yaml_string(const std::string& yaml, char** envp = nullptr);

// Checks cross-field rules and fills node.id ("<hostname>-<pid>") when
// empty. Throws config_error naming the offending key.
void validate(config& cfg);

// herald [--config FILE] [--listen HOST:PORT] [--threads N] [--log-level L]
//        [--set key=value]... [--version] [--help]
// Returns the config to run, or nullopt with exit_code set: 0 after
// --help/--version (written to out), 2 on a usage or config error (written
// to err).
std::optional<config> parse_command_line(int argc, char** argv, char** envp, std::ostream& out,
                                         std::ostream& err, int& exit_code);

// docs/config.md, generated from the key table.
std::string reference_markdown();

}  // namespace herald::config
