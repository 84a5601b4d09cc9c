// The generator's threads: one io_context each. Subscribers are spread over
// them round-robin and never move; per-thread tallies have one writer (the
// thread) and are read by the main thread either through relaxed atomics
// (progress) or by posting a task and waiting for it (histograms).
#pragma once

#include "histogram.hpp"

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace herald::bench {

class subscriber;

struct loop {
  boost::asio::io_context ctx{1};
  // Progress, read by the main thread while the loop runs.
  std::atomic<std::uint64_t> ready{0};
  std::atomic<std::uint64_t> failed{0};
  std::atomic<std::uint64_t> dropped{0};  // closed by the server after being ready
  std::atomic<std::uint64_t> received{0};
  std::atomic<std::uint64_t> last_receive_ns{0};
  // Loop thread only.
  std::uint32_t round = 0;
  std::uint64_t stale = 0;  // deliveries of an earlier round, or not ours
  histogram latency;
  std::string first_error;
  std::vector<std::shared_ptr<subscriber>> subscribers;
  unsigned in_flight = 0;
  std::function<void()> launch_more;
};

class loops {
 public:
  explicit loops(unsigned count);
  ~loops();

  std::size_t size() const { return loops_.size(); }
  loop& at(std::size_t i) { return *loops_[i]; }
  // Runs fn on every loop's thread and waits for all of them.
  void on_each(const std::function<void(loop&)>& fn);

  std::uint64_t sum(std::atomic<std::uint64_t> loop::*counter) const;
  std::uint64_t max(std::atomic<std::uint64_t> loop::*counter) const;

 private:
  using guard = boost::asio::executor_work_guard<boost::asio::io_context::executor_type>;
  std::vector<std::unique_ptr<loop>> loops_;
  std::vector<guard> guards_;
  std::vector<std::thread> threads_;
};

}  // namespace herald::bench
