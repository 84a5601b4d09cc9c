// herald-bench's command line, parsed once in main and read-only after.
#pragma once

#include <cstdint>
#include <string>
#include <sys/types.h>
#include <vector>

namespace herald::bench {

enum class scenario { idle, broadcast, users };
// Which server's destinations and publish path to use; herald and RabbitMQ
// receive byte-identical STOMP frames, nchan plain WebSocket messages.
enum class server_kind { herald, rabbitmq, nchan };
enum class publish_via { http, stomp };

struct options {
  bench::scenario scenario = scenario::broadcast;
  server_kind server = server_kind::herald;
  publish_via via = publish_via::http;
  std::string label;

  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;
  std::uint16_t publish_port = 0;  // 0: port; another node of a cluster otherwise
  std::vector<std::uint16_t> ports;  // subscribers spread over these (a cluster's nodes); empty: port
  std::string ws_path;       // herald /ws, RabbitMQ /ws, nchan /sub/ (channel appended)
  std::string publish_path;  // nchan /pub/ (channel appended)
  std::string login;         // STOMP login (RabbitMQ: guest)
  std::string passcode;
  std::string vhost = "/";
  std::string api_key;       // herald api.key, when set

  unsigned connections = 1000;  // idle: sessions; broadcast: subscribers; users: users
  unsigned threads = 2;
  unsigned source_ips = 4;      // 127.0.0.1 .. 127.0.0.N, to pass 64k ports per address pair
  unsigned ramp_window = 64;    // handshakes in flight per thread

  std::uint64_t messages = 1000;
  std::size_t body_bytes = 128;
  double rate = 0;             // messages/s; 0 = flat out
  unsigned pipeline = 64;      // HTTP requests in flight / STOMP SENDs per write

  unsigned warmup = 1;
  unsigned repeat = 3;
  double drain_timeout_s = 5;  // no delivery for this long ends a round
  double settle_s = 2;         // idle: wait before reading RSS
  unsigned steps = 5;          // idle: connect in this many steps, RSS after each
  double connect_timeout_s = 180;

  std::vector<pid_t> server_pids;
};

}  // namespace herald::bench
