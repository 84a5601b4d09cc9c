// The three scenarios. Each prints one JSON document on stdout and
// progress on stderr; the return value is the process exit code.
#pragma once

#include "options.hpp"

namespace herald::bench {

int run_idle(const options& opts);
int run_deliveries(const options& opts);  // broadcast and users

}  // namespace herald::bench
