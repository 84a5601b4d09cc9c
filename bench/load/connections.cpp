#include "connections.hpp"

#include "payload.hpp"
#include "subscriber.hpp"

#include <boost/asio/post.hpp>
#include <chrono>
#include <iostream>
#include <mutex>
#include <thread>

namespace herald::bench {

namespace asio = boost::asio;

connect_result connect_all(loops& pool, const options& opts, const targets& where, audience who, unsigned begin,
                           unsigned end) {
  const auto host = asio::ip::make_address(opts.host);
  const std::vector<std::uint16_t> ports = opts.ports.empty() ? std::vector<std::uint16_t>{opts.port} : opts.ports;
  const unsigned count = end - begin;
  const std::size_t step = pool.size();
  const stomp_login login{opts.vhost, opts.passcode};
  const bool stomp = where.stomp();

  pool.on_each([](loop& l) {
    l.ready = 0;
    l.failed = 0;
    l.first_error.clear();
  });
  const std::uint64_t start = now_ns();
  for (std::size_t i = 0; i < pool.size(); ++i) {
    loop& l = pool.at(i);
    auto next = std::make_shared<std::size_t>(begin + i);
    l.launch_more = [&l, &opts, &where, next, step, end, host, ports, login, stomp, who] {
      while (l.in_flight < opts.ramp_window && *next < end) {
        const auto index = static_cast<unsigned>(*next);
        *next += step;
        const auto spec = where.subscriber(index, who);
        const asio::ip::address source = asio::ip::address_v4(0x7F000001u + index % std::max(1u, opts.source_ips));
        const asio::ip::tcp::endpoint server(host, ports[index % ports.size()]);
        ws_address address{server, source, where.host_header(), spec.ws_path, stomp ? "v12.stomp" : ""};
        auto sub = std::make_shared<subscriber>(l, std::move(address), spec, stomp, login);
        l.subscribers.push_back(sub);
        ++l.in_flight;
        sub->start();
      }
    };
    asio::post(l.ctx, [&l] { l.launch_more(); });
  }

  connect_result result;
  result.requested = count;
  auto last_report = std::chrono::steady_clock::now();
  const auto deadline = last_report + std::chrono::duration<double>(opts.connect_timeout_s);
  for (;;) {
    result.ready = pool.sum(&loop::ready);
    result.failed = pool.sum(&loop::failed);
    if (result.ready + result.failed >= count) break;
    const auto now = std::chrono::steady_clock::now();
    if (now > deadline) {
      result.first_error = "connect timeout";
      break;
    }
    if (now - last_report > std::chrono::seconds(2)) {
      last_report = now;
      std::cerr << "  connected " << result.ready << "/" << count << " (failed " << result.failed << ")\n";
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  result.seconds = static_cast<double>(now_ns() - start) / 1e9;
  std::mutex m;
  pool.on_each([&](loop& l) {
    std::lock_guard lock(m);
    if (result.first_error.empty()) result.first_error = l.first_error;
  });
  return result;
}

void close_all(loops& pool) {
  pool.on_each([](loop& l) {
    l.launch_more = [] {};
    for (auto& s : l.subscribers) s->close();
    l.subscribers.clear();
    l.in_flight = 0;
  });
}

}  // namespace herald::bench
