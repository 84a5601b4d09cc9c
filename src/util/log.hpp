// Process-wide logging setup (spdlog). setup_logging() is called once at
// startup, before worker threads exist; logging itself and reopen_logs()
// are thread-safe.
#pragma once

#include <spdlog/spdlog.h>

#include <string>

namespace herald::util {

enum class log_style { text, json };

// file: empty = stdout. Throws std::invalid_argument for an unknown level
// and std::runtime_error when the file cannot be opened.
void setup_logging(const std::string& level, log_style style, const std::string& file = {});

// SIGHUP: reopen the log file so rotation by rename works; flushes stdout.
void reopen_logs();

}  // namespace herald::util
