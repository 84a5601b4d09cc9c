// Reads and checks `sources:` (see config.hpp). Internal to herald_config.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"

namespace YAML {
class Node;
}

namespace herald::config::detail {

// origin names the document in errors (a file, HERALD_SOURCES).
std::vector<source> sources_from_yaml(const YAML::Node& node, const std::string& origin);
std::vector<source> sources_from_text(std::string_view yaml, const std::string& origin);

// Cross-field rules (validate_sources.cpp); fills default names.
void check_sources(config& cfg);

}  // namespace herald::config::detail
