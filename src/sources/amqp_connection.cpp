#include "sources/amqp_connection.hpp"

#include <amqp.h>
#include <amqp_tcp_socket.h>
#include <poll.h>
#include <sys/time.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace herald::sources {
namespace {

constexpr int channel = 1;
constexpr int frame_max = 131072;  // RabbitMQ's default
constexpr int heartbeat_s = 10;    // a dead peer shows within two of these
// Once a delivery has started, its header and body frames follow at once;
// a broker that stalls this long in the middle of one is treated as gone.
constexpr std::chrono::seconds mid_delivery_timeout{30};

timeval to_timeval(std::chrono::milliseconds ms) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(ms.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((ms.count() % 1000) * 1000);
  return tv;
}

std::string text(amqp_bytes_t b) { return std::string(static_cast<const char*>(b.bytes), b.len); }

// A server's close method as "<code> <text>".
template <class Close>
std::string close_reason(const void* decoded) {
  const auto* m = static_cast<const Close*>(decoded);
  return std::to_string(m->reply_code) + " " + text(m->reply_text);
}

std::string method_problem(const amqp_method_t& m) {
  switch (m.id) {
    case AMQP_CONNECTION_CLOSE_METHOD:
      return "the broker closed the connection: " + close_reason<amqp_connection_close_t>(m.decoded);
    case AMQP_CHANNEL_CLOSE_METHOD:
      return "the broker closed the channel: " + close_reason<amqp_channel_close_t>(m.decoded);
    case AMQP_BASIC_CANCEL_METHOD:
      return "the broker cancelled the consumer (queue deleted?)";
    default:
      return std::string("unexpected ") + amqp_method_name(m.id);
  }
}

}  // namespace

struct amqp_connection::state {
  amqp_connection_state_t conn = amqp_new_connection();
  bool logged_in = false;
  bool healthy = true;  // false after any failure: no graceful close then

  ~state() {
    if (logged_in && healthy) {
      // Unacknowledged deliveries go back to the queue either way; a clean
      // close just spares the broker a "connection reset" in its log. Keep
      // it short so that stopping never waits on a stalled broker.
      const timeval tv = to_timeval(std::chrono::milliseconds(1000));
      amqp_set_rpc_timeout(conn, &tv);
      amqp_connection_close(conn, AMQP_REPLY_SUCCESS);
    }
    amqp_destroy_connection(conn);
  }

  [[noreturn]] void fail(const std::string& what) {
    healthy = false;
    throw amqp_error(what);
  }

  void check(const amqp_rpc_reply_t& r, const char* step) {
    switch (r.reply_type) {
      case AMQP_RESPONSE_NORMAL:
        return;
      case AMQP_RESPONSE_NONE:
        fail(std::string(step) + ": no reply");
      case AMQP_RESPONSE_LIBRARY_EXCEPTION:
        fail(std::string(step) + ": " + amqp_error_string2(r.library_error));
      case AMQP_RESPONSE_SERVER_EXCEPTION:
        fail(std::string(step) + ": " + method_problem(r.reply));
    }
    fail(std::string(step) + ": unknown reply");
  }

  void check_rpc(const char* step) { check(amqp_get_rpc_reply(conn), step); }

  void check_status(int rc, const char* step) {
    if (rc != AMQP_STATUS_OK) fail(std::string(step) + ": " + amqp_error_string2(rc));
  }

  // One frame, or false when `wait` passed first.
  bool frame(amqp_frame_t& f, std::chrono::milliseconds wait) {
    const timeval tv = to_timeval(wait);
    const int rc = amqp_simple_wait_frame_noblock(conn, &f, &tv);
    if (rc == AMQP_STATUS_TIMEOUT) return false;
    check_status(rc, "read");
    return true;
  }

  // The next frame of a delivery that has begun, of type `type`. Close
  // methods end the connection; other frames here break the protocol.
  void delivery_frame(amqp_frame_t& f, std::uint8_t type) {
    if (!frame(f, mid_delivery_timeout)) fail("read: timed out in the middle of a message");
    if (f.frame_type == AMQP_FRAME_METHOD) fail(method_problem(f.payload.method));
    if (f.frame_type != type || f.channel != channel) fail("read: unexpected frame in the middle of a message");
  }
};

amqp_connection::amqp_connection(const std::string& url, std::chrono::milliseconds timeout)
    : s_(std::make_unique<state>()) {
  // amqp_parse_url writes into its argument and points into it.
  std::vector<char> buf(url.begin(), url.end());
  buf.push_back('\0');
  amqp_connection_info info{};
  if (amqp_parse_url(buf.data(), &info) != AMQP_STATUS_OK) s_->fail("bad url");
  if (info.ssl) s_->fail("amqps:// is not supported");
  // "amqp://host/" names the empty vhost by the URI spec; nobody has one,
  // and it is how people write the default.
  const char* vhost = (info.vhost && *info.vhost) ? info.vhost : "/";
  const std::string where = std::string(info.host) + ":" + std::to_string(info.port);

  amqp_socket_t* sock = amqp_tcp_socket_new(s_->conn);
  if (!sock) s_->fail("cannot create a socket");
  const timeval tv = to_timeval(timeout);
  const int rc = amqp_socket_open_noblock(sock, info.host, info.port, &tv);
  if (rc != AMQP_STATUS_OK) s_->fail("connect to " + where + ": " + amqp_error_string2(rc));
  s_->check_status(amqp_set_handshake_timeout(s_->conn, &tv), "handshake timeout");
  s_->check_status(amqp_set_rpc_timeout(s_->conn, &tv), "rpc timeout");
  s_->check(amqp_login(s_->conn, vhost, 0, frame_max, heartbeat_s, AMQP_SASL_METHOD_PLAIN, info.user, info.password),
            ("login to " + where).c_str());
  s_->logged_in = true;
  amqp_channel_open(s_->conn, channel);
  s_->check_rpc("channel.open");
}

amqp_connection::~amqp_connection() = default;

int amqp_connection::socket_fd() const { return amqp_get_sockfd(s_->conn); }

void amqp_connection::declare_exchange(const std::string& name, const char* type) {
  amqp_exchange_declare(s_->conn, channel, amqp_cstring_bytes(name.c_str()), amqp_cstring_bytes(type),
                        /*passive*/ 0, /*durable*/ 1, /*auto_delete*/ 0, /*internal*/ 0, amqp_empty_table);
  s_->check_rpc(("exchange.declare " + name).c_str());
}

std::string amqp_connection::declare_private_queue() {
  const auto* ok = amqp_queue_declare(s_->conn, channel, amqp_empty_bytes, /*passive*/ 0, /*durable*/ 0,
                                      /*exclusive*/ 1, /*auto_delete*/ 1, amqp_empty_table);
  s_->check_rpc("queue.declare (server-named)");
  return text(ok->queue);
}

void amqp_connection::bind(const std::string& queue, const std::string& exchange, const std::string& key,
                           bool wait) {
  if (wait) {
    amqp_queue_bind(s_->conn, channel, amqp_cstring_bytes(queue.c_str()), amqp_cstring_bytes(exchange.c_str()),
                    amqp_cstring_bytes(key.c_str()), amqp_empty_table);
    return s_->check_rpc("queue.bind");
  }
  // rabbitmq-c has no no-wait variant: send the method as it would.
  amqp_queue_bind_t req{};
  req.queue = amqp_cstring_bytes(queue.c_str());
  req.exchange = amqp_cstring_bytes(exchange.c_str());
  req.routing_key = amqp_cstring_bytes(key.c_str());
  req.nowait = 1;
  req.arguments = amqp_empty_table;
  s_->check_status(amqp_send_method(s_->conn, channel, AMQP_QUEUE_BIND_METHOD, &req), "queue.bind");
}

void amqp_connection::unbind(const std::string& queue, const std::string& exchange, const std::string& key) {
  // queue.unbind has no no-wait flag in AMQP 0-9-1.
  amqp_queue_unbind(s_->conn, channel, amqp_cstring_bytes(queue.c_str()), amqp_cstring_bytes(exchange.c_str()),
                    amqp_cstring_bytes(key.c_str()), amqp_empty_table);
  s_->check_rpc("queue.unbind");
}

void amqp_connection::start_consuming(const std::string& queue, bool auto_ack) {
  amqp_basic_consume(s_->conn, channel, amqp_cstring_bytes(queue.c_str()), amqp_empty_bytes, /*no_local*/ 0,
                     /*no_ack*/ auto_ack ? 1 : 0, /*exclusive*/ 0, amqp_empty_table);
  s_->check_rpc("basic.consume");
}

void amqp_connection::publish(const std::string& exchange, const std::string& key, std::string_view body) {
  amqp_bytes_t bytes{body.size(), const_cast<char*>(body.data())};
  s_->check_status(amqp_basic_publish(s_->conn, channel, amqp_cstring_bytes(exchange.c_str()),
                                      amqp_cstring_bytes(key.c_str()), /*mandatory*/ 0, /*immediate*/ 0,
                                      /*properties*/ nullptr, bytes),
                   "basic.publish");
}

std::string amqp_connection::consume(const amqp_topology& t) {
  auto* c = s_->conn;
  declare_exchange(t.exchange, "topic");

  amqp_table_entry_t dlx{};
  amqp_table_t args = amqp_empty_table;
  if (!t.dead_letter_exchange.empty()) {
    dlx.key = amqp_cstring_bytes("x-dead-letter-exchange");
    dlx.value.kind = AMQP_FIELD_KIND_UTF8;
    dlx.value.value.bytes = amqp_cstring_bytes(t.dead_letter_exchange.c_str());
    args.num_entries = 1;
    args.entries = &dlx;
  }
  // A named queue is the group's: durable and shared. An unnamed one is
  // this node's copy of the stream: it goes away with the connection.
  const bool shared = !t.queue.empty();
  const auto* ok = amqp_queue_declare(c, channel, shared ? amqp_cstring_bytes(t.queue.c_str()) : amqp_empty_bytes,
                                      /*passive*/ 0, /*durable*/ shared, /*exclusive*/ !shared,
                                      /*auto_delete*/ !shared, args);
  s_->check_rpc(("queue.declare " + (shared ? t.queue : std::string("(server-named)"))).c_str());
  const std::string queue = text(ok->queue);

  bind(queue, t.exchange, t.routing_key, /*wait*/ true);
  amqp_basic_qos(c, channel, 0, t.prefetch, 0);
  s_->check_rpc("basic.qos");
  start_consuming(queue, /*auto_ack*/ false);
  return queue;
}

std::variant<amqp_idle, amqp_delivery> amqp_connection::next(std::chrono::milliseconds wait,
                                                             std::uint64_t max_body, int wake_fd) {
  // Everything decoded so far lives in the connection's pools; nothing of
  // it is referenced once a delivery has been returned.
  amqp_maybe_release_buffers(s_->conn);
  if (wake_fd >= 0 && !amqp_frames_enqueued(s_->conn) && !amqp_data_in_buffer(s_->conn)) {
    // Nothing buffered: sleep on the socket and the owner's wake-up at
    // once, then let rabbitmq-c read what came without waiting again.
    pollfd fds[2] = {{amqp_get_sockfd(s_->conn), POLLIN, 0}, {wake_fd, POLLIN, 0}};
    if (::poll(fds, 2, static_cast<int>(wait.count())) < 0 && errno != EINTR) {
      s_->fail("poll: " + std::string(std::strerror(errno)));
    }
    wait = std::chrono::milliseconds(0);
  }
  amqp_frame_t f;
  if (!s_->frame(f, wait)) return amqp_idle{};
  if (f.frame_type != AMQP_FRAME_METHOD) return amqp_idle{};  // stray content of nothing we asked for
  if (f.payload.method.id != AMQP_BASIC_DELIVER_METHOD) {
    switch (f.payload.method.id) {
      case AMQP_CONNECTION_CLOSE_METHOD:
      case AMQP_CHANNEL_CLOSE_METHOD:
      case AMQP_BASIC_CANCEL_METHOD:
        s_->fail(method_problem(f.payload.method));
      default:
        return amqp_idle{};
    }
  }
  amqp_delivery d;
  const auto* deliver = static_cast<const amqp_basic_deliver_t*>(f.payload.method.decoded);
  d.tag = deliver->delivery_tag;
  d.routing_key = text(deliver->routing_key);  // before the next frame reuses the pool
  s_->delivery_frame(f, AMQP_FRAME_HEADER);
  d.body_size = f.payload.properties.body_size;
  d.oversize = d.body_size > max_body;
  if (!d.oversize) d.body.reserve(d.body_size);
  for (std::uint64_t got = 0; got < d.body_size;) {
    s_->delivery_frame(f, AMQP_FRAME_BODY);
    const auto& part = f.payload.body_fragment;
    got += part.len;
    if (got > d.body_size) s_->fail("read: a message body longer than announced");
    if (!d.oversize) d.body.append(static_cast<const char*>(part.bytes), part.len);
    amqp_maybe_release_buffers_on_channel(s_->conn, channel);
  }
  return d;
}

void amqp_connection::ack(std::uint64_t tag) { s_->check_status(amqp_basic_ack(s_->conn, channel, tag, 0), "basic.ack"); }

void amqp_connection::reject(std::uint64_t tag) {
  s_->check_status(amqp_basic_reject(s_->conn, channel, tag, /*requeue*/ 0), "basic.reject");
}

void amqp_connection::requeue(std::uint64_t tag) {
  s_->check_status(amqp_basic_nack(s_->conn, channel, tag, /*multiple*/ 0, /*requeue*/ 1), "basic.nack");
}

}  // namespace herald::sources
