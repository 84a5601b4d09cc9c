// Builds the configured sources (config.sources) for a node.
#pragma once

#include <memory>
#include <vector>

#include "config/config.hpp"
#include "sources/source.hpp"

namespace herald::sources {

std::vector<std::unique_ptr<source>> make_sources(const config::config& cfg, sink& s);

}  // namespace herald::sources
