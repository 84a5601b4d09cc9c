// What the load generator reads about processes: the server's resident
// memory and CPU time from /proc, and its own CPU time from getrusage, so
// every report shows who used the cores.
#pragma once

#include <cstdint>
#include <sys/types.h>
#include <vector>

namespace herald::bench {

struct cpu_sample {
  double user_s = 0;
  double system_s = 0;
  double total() const { return user_s + system_s; }
};

// Sums over all the given processes (nginx master + workers, say); a process
// that cannot be read counts as zero so a missing --server-pid is harmless.
std::uint64_t resident_bytes(const std::vector<pid_t>& pids);
cpu_sample process_cpu(const std::vector<pid_t>& pids);
cpu_sample self_cpu();

// Raises RLIMIT_NOFILE's soft limit to the hard one and returns it.
std::uint64_t raise_open_files_limit();

}  // namespace herald::bench
