// Process-wide logging setup (spdlog). setup() is called once at startup,
// before worker threads exist; the log calls themselves are thread-safe.
#pragma once

#include <spdlog/spdlog.h>

#include <string>

namespace herald::util {

enum class log_style { text, json };

// Throws std::invalid_argument for an unknown level name.
void setup_logging(const std::string& level, log_style style);

// SIGHUP: reopen the sink so log rotation by rename works.
void reopen_logs();

}  // namespace herald::util
