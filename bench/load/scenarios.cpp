#include "scenarios.hpp"

#include "connections.hpp"
#include "payload.hpp"
#include "proc_stats.hpp"
#include "publisher.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <future>
#include <iostream>
#include <mutex>
#include <thread>

namespace herald::bench {

namespace asio = boost::asio;

namespace {

void sleep_s(double seconds) { std::this_thread::sleep_for(std::chrono::duration<double>(seconds)); }

// The publisher's own thread and io_context.
class publisher_thread {
 public:
  publisher_thread() : guard_(ctx_.get_executor()), thread_([this] { ctx_.run(); }) {}
  ~publisher_thread() {
    guard_.reset();
    ctx_.stop();
    thread_.join();
  }
  asio::io_context& ctx() { return ctx_; }

 private:
  asio::io_context ctx_{1};
  asio::executor_work_guard<asio::io_context::executor_type> guard_;
  std::thread thread_;
};

delivery_round run_round(loops& pool, publisher_thread& pt, const std::shared_ptr<publisher>& pub, const options& opts,
                         const publish_job& job, std::uint64_t expected, bool& stalled) {
  delivery_round r;
  r.expected = expected;
  const std::uint64_t dropped_before = pool.sum(&loop::dropped);
  pool.on_each([&](loop& l) {
    l.round = job.round;
    l.latency.reset();
    l.stale = 0;
    l.received.store(0, std::memory_order_relaxed);
    l.last_receive_ns.store(0, std::memory_order_relaxed);
  });
  const cpu_sample bench0 = self_cpu();
  const cpu_sample server0 = process_cpu(opts.server_pids);

  auto done = std::make_shared<std::promise<publish_outcome>>();
  auto outcome_future = done->get_future();
  asio::post(pt.ctx(), [pub, job, done] { pub->run(job, [done](publish_outcome o) { done->set_value(std::move(o)); }); });

  std::uint64_t seen = 0;
  auto last_progress = std::chrono::steady_clock::now();
  bool published = false;
  publish_outcome outcome;
  const auto drain = std::chrono::duration<double>(opts.drain_timeout_s);
  for (;;) {
    if (!published && outcome_future.wait_for(std::chrono::milliseconds(2)) == std::future_status::ready) {
      published = true;
      outcome = outcome_future.get();
      last_progress = std::chrono::steady_clock::now();
    }
    const std::uint64_t received = pool.sum(&loop::received);
    const auto now = std::chrono::steady_clock::now();
    if (received != seen) {
      seen = received;
      last_progress = now;
    }
    if (published && received >= expected) break;
    if (now - last_progress > drain) {
      if (!published) {
        // The publisher is wedged (server stopped answering): this round is
        // reported as it stands and no further round is attempted.
        stalled = true;
        r.first_error = "publisher stalled";
      }
      break;
    }
    if (published) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  const cpu_sample bench1 = self_cpu();
  const cpu_sample server1 = process_cpu(opts.server_pids);

  std::mutex m;
  pool.on_each([&](loop& l) {
    std::lock_guard lock(m);
    r.latency.merge(l.latency);
    r.stale += l.stale;
  });
  r.delivered = pool.sum(&loop::received);
  r.dropped_connections = pool.sum(&loop::dropped) - dropped_before;
  r.published = outcome.sent;
  r.publish_errors = outcome.errors;
  if (r.first_error.empty()) r.first_error = outcome.first_error;
  if (published && outcome.end_ns > outcome.start_ns)
    r.publish_s = static_cast<double>(outcome.end_ns - outcome.start_ns) / 1e9;
  const std::uint64_t last = pool.max(&loop::last_receive_ns);
  if (published && last > outcome.start_ns) r.duration_s = static_cast<double>(last - outcome.start_ns) / 1e9;
  r.deliveries_per_s = r.duration_s > 0 ? static_cast<double>(r.delivered) / r.duration_s : 0;
  r.bench_cpu_s = bench1.total() - bench0.total();
  r.server_cpu_s = server1.total() - server0.total();
  return r;
}

}  // namespace

int run_deliveries(const options& opts) {
  const targets where(opts);
  const audience who = opts.scenario == scenario::users ? audience::own_destination : audience::one_topic;
  loops pool(opts.threads);
  std::cerr << "connecting " << opts.connections << " subscribers\n";
  const connect_result connected = connect_all(pool, opts, where, who, 0, opts.connections);
  std::cerr << "  " << connected.ready << " ready in " << connected.seconds << " s"
            << (connected.failed ? ", first error: " + connected.first_error : std::string()) << "\n";

  publisher_thread pt;
  // A fresh publisher connection each round: a long round leaves the last
  // one idle past the server's keep-alive timeout.
  auto connect_publisher = [&]() -> std::shared_ptr<publisher> {
    auto pub = opts.via == publish_via::stomp ? make_stomp_publisher(pt.ctx(), opts, where)
                                              : make_http_publisher(pt.ctx(), opts, where);
    std::promise<std::string> connected_pub;
    asio::post(pt.ctx(), [&] { pub->connect([&](std::string error) { connected_pub.set_value(std::move(error)); }); });
    if (const std::string error = connected_pub.get_future().get(); !error.empty()) {
      std::cerr << error << "\n";
      return nullptr;
    }
    return pub;
  };

  std::vector<delivery_round> rounds;
  const std::uint64_t expected = who == audience::one_topic ? connected.ready * opts.messages : opts.messages;
  bool stalled = false;
  for (unsigned i = 0; i < opts.warmup + opts.repeat && !stalled; ++i) {
    publish_job job;
    job.round = i + 1;
    job.messages = opts.messages;
    job.rate = opts.rate;
    job.body_bytes = opts.body_bytes;
    job.who = who;
    job.users = opts.connections;
    job.window = opts.pipeline;
    auto pub = connect_publisher();
    if (!pub) {
      close_all(pool);
      return 2;
    }
    delivery_round r = run_round(pool, pt, pub, opts, job, expected, stalled);
    r.warmup = i < opts.warmup;
    std::cerr << (r.warmup ? "  warm-up" : "  round") << " " << job.round << ": " << r.delivered << "/" << r.expected
              << " delivered, " << static_cast<std::uint64_t>(r.deliveries_per_s) << "/s, p50 "
              << r.latency.percentile(50) / 1000 << " us, p99 " << r.latency.percentile(99) / 1000 << " us\n";
    rounds.push_back(std::move(r));
    sleep_s(0.3);
  }
  close_all(pool);
  std::cout << delivery_report(opts, connected, rounds) << std::endl;
  return connected.ready == 0 || stalled ? 2 : 0;
}

int run_idle(const options& opts) {
  const targets where(opts);
  loops pool(opts.threads);
  std::vector<idle_round> rounds;
  for (unsigned i = 0; i < std::max(1u, opts.repeat); ++i) {
    idle_round r;
    r.rss_before = resident_bytes(opts.server_pids);
    const cpu_sample bench0 = self_cpu();
    const cpu_sample server0 = process_cpu(opts.server_pids);
    std::cerr << "connecting " << opts.connections << " idle sessions in " << opts.steps << " steps\n";
    // In steps, with the RSS read after each, for the RSS-vs-connections plot.
    r.connect.requested = opts.connections;
    r.steps.push_back({0, r.rss_before});
    for (unsigned step = 1; step <= std::max(1u, opts.steps); ++step) {
      const unsigned begin = static_cast<unsigned>(std::uint64_t{opts.connections} * (step - 1) / opts.steps);
      const unsigned end = static_cast<unsigned>(std::uint64_t{opts.connections} * step / opts.steps);
      const connect_result part = connect_all(pool, opts, where, audience::own_destination, begin, end);
      r.connect.ready += part.ready;
      r.connect.failed += part.failed;
      r.connect.seconds += part.seconds;
      if (r.connect.first_error.empty()) r.connect.first_error = part.first_error;
      if (step < opts.steps) {
        sleep_s(opts.settle_s / 2);
        r.steps.push_back({r.connect.ready, resident_bytes(opts.server_pids)});
      }
    }
    const cpu_sample bench1 = self_cpu();
    const cpu_sample server1 = process_cpu(opts.server_pids);
    sleep_s(opts.settle_s);
    r.rss_after = resident_bytes(opts.server_pids);
    r.steps.push_back({r.connect.ready, r.rss_after});
    r.bench_cpu_s = bench1.total() - bench0.total();
    r.server_cpu_s = server1.total() - server0.total();
    std::cerr << "  " << r.connect.ready << " ready (" << r.connect.failed << " failed) in " << r.connect.seconds
              << " s; server RSS " << r.rss_before / 1048576 << " -> " << r.rss_after / 1048576 << " MiB\n";
    rounds.push_back(std::move(r));
    close_all(pool);
    sleep_s(opts.settle_s);
  }
  std::cout << idle_report(opts, rounds) << std::endl;
  return rounds.back().connect.ready == 0 ? 2 : 0;
}

}  // namespace herald::bench
