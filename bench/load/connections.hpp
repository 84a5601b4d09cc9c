// Opening and closing the subscriber population, spread over the loops,
// at most `ramp_window` handshakes in flight per loop.
#pragma once

#include "loops.hpp"
#include "options.hpp"
#include "report.hpp"
#include "targets.hpp"

namespace herald::bench {

// Opens subscribers [begin, end); those already open stay.
connect_result connect_all(loops& pool, const options& opts, const targets& where, audience who, unsigned begin,
                           unsigned end);
void close_all(loops& pool);

}  // namespace herald::bench
