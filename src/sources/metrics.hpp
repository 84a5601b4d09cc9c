// The sources' Prometheus families, labelled by source name.
#pragma once

#include <memory>
#include <vector>

#include "metrics/prometheus.hpp"
#include "sources/source.hpp"

namespace herald::sources {

void write_metrics(metrics::text_writer& t, const std::vector<std::unique_ptr<source>>& all);

}  // namespace herald::sources
