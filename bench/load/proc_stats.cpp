#include "proc_stats.hpp"

#include <fstream>
#include <sstream>
#include <string>
#include <sys/resource.h>
#include <unistd.h>

namespace herald::bench {

std::uint64_t resident_bytes(const std::vector<pid_t>& pids) {
  std::uint64_t total = 0;
  for (pid_t pid : pids) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(in, line)) {
      if (line.rfind("VmRSS:", 0) == 0) {
        total += std::stoull(line.substr(6)) * 1024;  // reported in kB
        break;
      }
    }
  }
  return total;
}

cpu_sample process_cpu(const std::vector<pid_t>& pids) {
  const double tick = static_cast<double>(sysconf(_SC_CLK_TCK));
  cpu_sample sample;
  for (pid_t pid : pids) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string stat;
    std::getline(in, stat);
    // The command name (field 2) may hold spaces; fields resume after ')'.
    const auto close = stat.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream fields(stat.substr(close + 2));
    std::string field;
    // After ')' come state (3) ... utime is field 14, stime 15.
    for (int i = 3; i <= 13 && fields >> field; ++i) {}
    unsigned long long utime = 0, stime = 0;
    fields >> utime >> stime;
    sample.user_s += static_cast<double>(utime) / tick;
    sample.system_s += static_cast<double>(stime) / tick;
  }
  return sample;
}

cpu_sample self_cpu() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& tv) { return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6; };
  return {seconds(usage.ru_utime), seconds(usage.ru_stime)};
}

std::uint64_t raise_open_files_limit() {
  rlimit limit{};
  getrlimit(RLIMIT_NOFILE, &limit);
  limit.rlim_cur = limit.rlim_max;
  setrlimit(RLIMIT_NOFILE, &limit);
  return limit.rlim_cur;
}

}  // namespace herald::bench
