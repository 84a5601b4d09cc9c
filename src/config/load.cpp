// load(): stacks the layers on the defaults. The env and --set layers live
// here because they are a few lines each over the key table.
#include "config/load.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string_view>

#include "config/key_table.hpp"
#include "config/layers.hpp"

namespace herald::config {

namespace {

std::string message(const std::string& key, const std::string& problem, const std::string& source) {
  std::string text = key + ": " + problem;
  if (!source.empty()) text += " (" + source + ")";
  return text;
}

void apply_key(config& cfg, const key_info& key, std::string_view value,
               const std::string& source) {
  try {
    key.set_text(cfg, value);
  } catch (const config_error& e) {
    throw config_error(e.key, e.problem, source);
  }
}

}  // namespace

config_error::config_error(std::string key_, std::string problem_, std::string source_)
    : std::runtime_error(message(key_, problem_, source_)),
      key(std::move(key_)),
      problem(std::move(problem_)),
      source(std::move(source_)) {}

namespace detail {

void apply_env(config& cfg, char** envp) {
  if (envp == nullptr) return;
  for (char** entry = envp; *entry != nullptr; ++entry) {
    std::string_view text(*entry);
    if (!text.starts_with("HERALD_")) continue;
    auto eq = text.find('=');
    if (eq == std::string_view::npos) continue;  // malformed entry; not ours to judge
    std::string name(text.substr(0, eq));
    const key_info* key = find_env(name);
    // A typo such as HERALD_THREAD would otherwise be silently ignored.
    if (key == nullptr) throw config_error(name, "unknown key", "environment variable");
    apply_key(cfg, *key, text.substr(eq + 1), name);
  }
}

void apply_text(config& cfg, const std::string& key_path, const std::string& value,
                const std::string& source) {
  const key_info* key = find_key(key_path);
  if (key == nullptr) throw config_error(key_path, "unknown key", source);
  apply_key(cfg, *key, value, source);
}

}  // namespace detail

config load(const std::string& yaml_path, char** envp,
            const std::vector<std::pair<std::string, std::string>>& overrides) {
  config cfg;
  if (!yaml_path.empty()) {
    std::ifstream file(yaml_path, std::ios::binary);
    if (!file) {
      throw config_error("--config", "cannot read " + yaml_path + ": " + std::strerror(errno));
    }
    std::ostringstream text;
    text << file.rdbuf();
    detail::apply_yaml(cfg, text.str(), yaml_path);
  }
  detail::apply_env(cfg, envp);
  for (const auto& [key, value] : overrides) detail::apply_text(cfg, key, value, "command line");
  validate(cfg);
  return cfg;
}

config load_yaml_string(const std::string& yaml, char** envp) {
  config cfg;
  detail::apply_yaml(cfg, yaml, "");
  detail::apply_env(cfg, envp);
  validate(cfg);
  return cfg;
}

}  // namespace herald::config
