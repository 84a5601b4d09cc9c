// A worker's view of the node's connect_services: the same calls, with
// every `done` posted back onto the worker's event loop, where the
// session that asked lives.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include "session/connect_services.hpp"

namespace herald::net {

class posting_services final : public session::connect_services {
 public:
  posting_services(boost::asio::io_context& ioc, session::connect_services& inner) : ioc_(ioc), inner_(inner) {}

  bool authenticates() const override { return inner_.authenticates(); }
  void authenticate(const auth::credentials& c, std::function<void(auth::auth_result, std::string)> done) override {
    inner_.authenticate(c, [this, done = std::move(done)](auth::auth_result r, std::string token) {
      boost::asio::post(ioc_, [done, r = std::move(r), token = std::move(token)]() mutable {
        done(std::move(r), std::move(token));
      });
    });
  }
  std::chrono::milliseconds recheck_every() const override { return inner_.recheck_every(); }
  void still_valid(const std::string& token, std::function<void(bool)> done) override {
    inner_.still_valid(token, [this, done = std::move(done)](bool ok) { boost::asio::post(ioc_, [done, ok] { done(ok); }); });
  }
  bool limits_cluster_wide() const override { return inner_.limits_cluster_wide(); }
  void sessions_elsewhere(const std::string& user, std::function<void(std::optional<std::uint32_t>)> done) override {
    inner_.sessions_elsewhere(user, [this, done = std::move(done)](std::optional<std::uint32_t> n) {
      boost::asio::post(ioc_, [done, n] { done(n); });
    });
  }

 private:
  boost::asio::io_context& ioc_;
  session::connect_services& inner_;
};

}  // namespace herald::net
