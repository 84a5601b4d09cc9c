#include "util/log.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_sinks.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <stdexcept>

namespace herald::util {
namespace {

// One JSON object per line; spdlog's pattern language cannot escape the
// message text, so this formatter does it.
class json_formatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    using namespace std::chrono;
    auto ms = duration_cast<milliseconds>(msg.time.time_since_epoch()).count();
    fmt::format_to(std::back_inserter(dest), R"({{"ts_ms":{},"level":"{}","thread":{},"msg":")", ms,
                   spdlog::level::to_string_view(msg.level), msg.thread_id);
    for (char c : msg.payload) {
      switch (c) {
        case '"': dest.append(std::string_view("\\\"")); break;
        case '\\': dest.append(std::string_view("\\\\")); break;
        case '\n': dest.append(std::string_view("\\n")); break;
        case '\r': dest.append(std::string_view("\\r")); break;
        case '\t': dest.append(std::string_view("\\t")); break;
        default:
          if (static_cast<unsigned char>(c) < 0x20) {
            fmt::format_to(std::back_inserter(dest), "\\u{:04x}", static_cast<unsigned>(c));
          } else {
            dest.push_back(c);
          }
      }
    }
    dest.append(std::string_view("\"}\n"));
  }
  std::unique_ptr<formatter> clone() const override { return std::make_unique<json_formatter>(); }
};

// A file sink that can reopen its path: logrotate renames the file and
// sends SIGHUP, and we must start writing the new one.
class reopenable_file_sink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  explicit reopenable_file_sink(std::string path) : path_(std::move(path)) { open(); }
  ~reopenable_file_sink() override {
    if (f_) std::fclose(f_);
  }
  void reopen() {
    std::lock_guard lock(mutex_);
    if (f_) std::fclose(f_);
    open();
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    spdlog::memory_buf_t buf;
    formatter_->format(msg, buf);
    if (f_) std::fwrite(buf.data(), 1, buf.size(), f_);
  }
  void flush_() override {
    if (f_) std::fflush(f_);
  }

 private:
  void open() {
    f_ = std::fopen(path_.c_str(), "a");
    if (!f_) throw std::runtime_error("log.file: cannot open " + path_ + ": " + std::strerror(errno));
  }

  std::string path_;
  std::FILE* f_ = nullptr;
};

std::shared_ptr<reopenable_file_sink> file_sink;

}  // namespace

void setup_logging(const std::string& level, log_style style, const std::string& file) {
  auto lvl = spdlog::level::from_str(level);
  if (lvl == spdlog::level::off && level != "off") {
    throw std::invalid_argument("log.level: unknown level '" + level + "'");
  }
  // stdout, line-buffered: tests and supervisors read the "listening" line.
  spdlog::sink_ptr sink;
  if (file.empty()) {
    sink = std::make_shared<spdlog::sinks::stdout_sink_mt>();
  } else {
    file_sink = std::make_shared<reopenable_file_sink>(file);
    sink = file_sink;
  }
  auto logger = std::make_shared<spdlog::logger>("herald", sink);
  if (style == log_style::json) {
    logger->set_formatter(std::make_unique<json_formatter>());
  } else {
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%-5l%$ %v");
  }
  logger->set_level(lvl);
  logger->flush_on(spdlog::level::trace);
  spdlog::set_default_logger(logger);
}

void reopen_logs() {
  if (file_sink) {
    file_sink->reopen();
  } else {
    spdlog::default_logger()->flush();
  }
}

}  // namespace herald::util
