// Counts heap allocations made through the global operator new, so a
// benchmark can report allocations per item (a replacement operator new in
// alloc_counter.cpp; the benchmarks are single-threaded).
#pragma once

#include <cstdint>

namespace herald::bench {

std::uint64_t allocations();

}  // namespace herald::bench
