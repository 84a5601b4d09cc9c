#include "redis/connection.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/write.hpp>

namespace herald::redis {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

std::shared_ptr<connection> connection::create(asio::io_context& ioc, address where, callbacks cb,
                                               std::chrono::milliseconds connect_timeout, std::string client_name) {
  return std::make_shared<connection>(ioc, std::move(where), std::move(cb), connect_timeout, std::move(client_name));
}

connection::connection(asio::io_context& ioc, address where, callbacks cb, std::chrono::milliseconds connect_timeout,
                       std::string client_name)
    : resolver_(ioc),
      socket_(ioc),
      connect_timer_(ioc),
      where_(std::move(where)),
      cb_(std::move(cb)),
      connect_timeout_(connect_timeout),
      client_name_(std::move(client_name)),
      in_(64 * 1024) {}

void connection::start() {
  connect_timer_.expires_after(connect_timeout_);
  connect_timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
    if (!ec && !self->ready_) self->fail("no answer within broker.redis.connect_timeout_ms");
  });
  resolver_.async_resolve(where_.host, std::to_string(where_.port),
                          [self = shared_from_this()](boost::system::error_code ec, tcp::resolver::results_type rs) {
                            if (self->dead_) return;
                            if (ec) return self->fail("cannot resolve " + self->where_.host + ": " + ec.message());
                            asio::async_connect(self->socket_, rs,
                                                [self](boost::system::error_code ec, const tcp::endpoint&) {
                                                  if (self->dead_) return;
                                                  if (ec) return self->fail("cannot connect: " + ec.message());
                                                  self->on_connected();
                                                });
                          });
}

void connection::on_connected() {
  boost::system::error_code ignored;
  socket_.set_option(tcp::no_delay(true), ignored);
  socket_.set_option(asio::socket_base::keep_alive(true), ignored);
  read();
  auto checked = [self = shared_from_this()](const char* what) {
    return [self, what](reply r) {
      if (r.is_error()) self->fail(std::string(what) + " failed: " + r.str);
    };
  };
  if (!where_.password.empty()) {
    if (where_.user.empty()) {
      command({"AUTH", where_.password}, checked("AUTH"));
    } else {
      command({"AUTH", where_.user, where_.password}, checked("AUTH"));
    }
  }
  if (where_.db != 0) command({"SELECT", std::to_string(where_.db)}, checked("SELECT"));
  // Named, so that CLIENT LIST on the Redis side tells which node is which.
  if (!client_name_.empty()) command({"CLIENT", "SETNAME", client_name_});
  command({"PING"}, [self = shared_from_this()](reply r) {
    if (r.is_error()) return self->fail("PING failed: " + r.str);
    if (self->dead_) return;
    self->ready_ = true;
    self->connect_timer_.cancel();
    if (self->cb_.ready) self->cb_.ready();
  });
}

void connection::command(const std::vector<std::string>& args, reply_fn done) {
  if (dead_) {
    if (done) done(reply::make_error("connection lost"));
    return;
  }
  append_command(out_, args);
  if (!subscriber_) waiting_.push_back(std::move(done));
  flush();
}

void connection::command(std::initializer_list<std::string_view> args, reply_fn done) {
  if (dead_) {
    if (done) done(reply::make_error("connection lost"));
    return;
  }
  append_command(out_, args);
  if (!subscriber_) waiting_.push_back(std::move(done));
  flush();
}

void connection::flush() {
  if (!writing_.empty() || out_.empty() || dead_ || !socket_.is_open()) return;
  writing_.swap(out_);
  asio::async_write(socket_, asio::buffer(writing_), [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
    if (self->dead_) return;
    if (ec) return self->fail("write failed: " + ec.message());
    self->writing_.clear();
    self->flush();
  });
}

void connection::read() {
  socket_.async_read_some(asio::buffer(in_), [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
    if (self->dead_) return;
    if (ec) return self->fail(ec == asio::error::eof ? "closed by the server" : "read failed: " + ec.message());
    self->last_read_ = std::chrono::steady_clock::now();
    if (!self->reader_.feed(std::string_view(self->in_.data(), n))) return self->fail(self->reader_.error());
    while (auto r = self->reader_.next()) {
      self->on_reply(std::move(*r));
      if (self->dead_) return;
    }
    if (!self->reader_.error().empty()) return self->fail(self->reader_.error());
    self->read();
  });
}

void connection::on_reply(reply r) {
  // In subscriber mode Redis answers SUBSCRIBE and friends with push-shaped
  // arrays, not one per command; commands sent there take no callback.
  if (subscriber_) {
    if (cb_.push) cb_.push(std::move(r));
    return;
  }
  if (waiting_.empty()) return fail("reply without a command");
  auto done = std::move(waiting_.front());
  waiting_.pop_front();
  if (done) done(std::move(r));
}

void connection::close(const std::string& why) { fail(why); }

void connection::fail(const std::string& why) {
  if (dead_) return;
  dead_ = true;
  boost::system::error_code ignored;
  connect_timer_.cancel();
  resolver_.cancel();
  socket_.shutdown(tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
  auto waiting = std::move(waiting_);
  for (auto& done : waiting) {
    if (done) done(reply::make_error("connection lost: " + why));
  }
  if (cb_.down) cb_.down(why);
}

}  // namespace herald::redis
